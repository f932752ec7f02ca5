#pragma once
// The command line's hints. The libraries' errors say what went wrong and carry what to do
// (engine::remedy) or the setting they are about (engine::setting), naming no flag; the command
// line adds the flags here, when it reports an error.

#include <exception>
#include <string>
#include <string_view>

#include "engine/diagnostics.hpp"

namespace hwf::cli {

/// The text appended to an error's message for `r`, naming its flags (empty for none), e.g.
/// "; raise --memory" for remedy::raise_memory.
std::string_view hint(engine::remedy r) noexcept;

/// The flag that sets `s`, e.g. "--save-indicators".
std::string_view flag(engine::setting s) noexcept;

/// What the command line prints for `e` (after its family's prefix): its message followed by the
/// hint of its remedy; for an error about a setting, its diagnostics with the setting's flag in
/// place of its label.
std::string message(const std::exception& e);

}  // namespace hwf::cli
