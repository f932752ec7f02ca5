#include "outputs/checkpoint.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/binary_io.hpp"
#include "engine/input_file.hpp"

namespace hwf::out {

namespace {

std::string read_bytes(const std::filesystem::path& file) {
  try {
    return engine::read_regular_file(file, max_checkpoint_file_bytes);
  } catch (const engine::read_error& e) {
    throw checkpoint_error(fmt::format("cannot read {}: {}", file.string(), e.what()),
                           engine::remedy::start_over);
  }
}

/// manifest.json's content.
std::string manifest_text(const checkpoint_manifest& manifest) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, value] : manifest) j[key] = value;
  return j.dump(2) + "\n";
}

/// The study's identity: the SHA-256 of its manifest.json.
std::string identity_of(const checkpoint_manifest& manifest) {
  return sha256_hex(manifest_text(manifest));
}

/// The content of a chunk or state file after its identity line; checkpoint_error when the
/// file is another study's.
std::string_view without_identity(const std::string& bytes, const std::string& identity,
                                  const std::filesystem::path& file) {
  const std::string head = identity + "\n";
  if (!std::string_view(bytes).starts_with(head))
    throw checkpoint_error(
        fmt::format("{} is not part of this study's checkpoint (it does not open "
                    "with the study's identity {}, the SHA-256 of manifest.json): it "
                    "was copied from another run's checkpoint or is damaged",
                    file.string(), identity),
        engine::remedy::remove_file_or_start_over);
  return std::string_view(bytes).substr(head.size());
}

bool is_chunk_file(const std::filesystem::path& p) {
  const auto name = p.filename().string();
  return name.starts_with("chunk-") && name.ends_with(".bin");
}

}  // namespace

checkpoint_folder::checkpoint_folder(const std::filesystem::path& results_dir)
    : path_(results_dir / "checkpoint") {}

bool checkpoint_folder::exists(const std::filesystem::path& results_dir) {
  std::error_code ec;
  return std::filesystem::exists(results_dir / "checkpoint" / "manifest.json", ec);
}

void checkpoint_folder::start(const checkpoint_manifest& manifest) {
  identity_ = identity_of(manifest);
  create_results_folder(path_);
  write_file_atomically(path_ / "manifest.json", manifest_text(manifest));
}

void checkpoint_folder::check(const checkpoint_manifest& now) {
  const auto file = path_ / "manifest.json";
  nlohmann::json saved;
  try {
    saved = nlohmann::json::parse(read_bytes(file));
  } catch (const nlohmann::json::exception& e) {
    throw checkpoint_error(fmt::format("{} is damaged: {}", file.string(), e.what()));
  }
  for (const auto& [key, value] : now) {
    const auto it = saved.find(key);
    const std::string there =
        it != saved.end() && it->is_string() ? it->get<std::string>() : "(missing)";
    if (there != value)
      throw checkpoint_error(
          fmt::format("{} holds the checkpoint of another study: {} is {} there and "
                      "{} here.",
                      path_.parent_path().string(), key, there, value),
          engine::remedy::start_over_instead_of_resuming);
  }
  identity_ = identity_of(now);
}

void checkpoint_folder::save_chunk(const engine::chunk_view& chunk) const {
  write_file_atomically(path_ / fmt::format("chunk-{:012}.bin", chunk.first),
                        identity_ + "\n" + engine::encode_chunk(chunk));
}

void checkpoint_folder::save_state(const std::string& state, std::size_t runs) const {
  std::string bytes = identity_ + "\n";
  engine::put<std::uint64_t>(bytes, runs);
  bytes += state;
  write_file_atomically(path_ / "state.bin", bytes);
  std::vector<std::filesystem::path> covered;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(path_, ec))
    if (is_chunk_file(e.path())) {
      const auto first = std::stoull(e.path().filename().string().substr(6, 12));
      if (first < runs) covered.push_back(e.path());
    }
  for (const auto& p : covered) std::filesystem::remove(p, ec);
}

engine::ensemble_resume checkpoint_folder::load(std::size_t cells) const {
  engine::ensemble_resume r;
  const auto state = path_ / "state.bin";
  std::error_code ec;
  if (std::filesystem::exists(state, ec)) {
    const auto file = read_bytes(state);
    const auto bytes = without_identity(file, identity_, state);
    if (bytes.size() < 8) throw checkpoint_error(fmt::format("{} is damaged", state.string()));
    engine::byte_reader in(bytes);
    r.state_runs = in.get<std::uint64_t>();
    r.state = std::string(bytes.substr(8));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(path_, ec))
    if (is_chunk_file(e.path())) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    try {
      const auto bytes = read_bytes(f);
      auto c = engine::decode_chunk(without_identity(bytes, identity_, f), cells);
      if (c.last > r.state_runs) r.chunks.push_back(std::move(c));
    } catch (const engine::corrupt_data& e) {
      throw checkpoint_error(fmt::format("{} cannot be used: {}", f.string(), e.what()),
                             engine::remedy::start_over);
    }
  }
  return r;
}

void checkpoint_folder::remove() const {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace hwf::out
