#pragma once
// Version and git commit of this build (generated at build time by cmake/write_build_info.cmake).

#include <string_view>

namespace hwf::engine {
std::string_view build_version();
/// Full commit hash, with "-dirty" when tracked files had uncommitted changes; "unknown" outside
/// git.
std::string_view build_commit();
}  // namespace hwf::engine
