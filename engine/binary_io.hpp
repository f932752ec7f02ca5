#pragma once
// Plain binary encoding of checkpoint data: fixed-size values in this machine's byte order
// (checkpoints are read back by the same binary, which the checkpoint's manifest checks), with a
// reader that refuses to read past the end.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hwf::engine {

/// A checkpoint that cannot be decoded (truncated or not ours).
class corrupt_data : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename T>
void put(std::string& out, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
void put_array(std::string& out, const std::vector<T>& values) {
  static_assert(std::is_trivially_copyable_v<T>);
  put<std::uint64_t>(out, values.size());
  if (!values.empty())
    out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

inline void put_string(std::string& out, std::string_view s) {
  put<std::uint64_t>(out, s.size());
  out.append(s);
}

/// A checksum that catches a damaged checkpoint file: FNV-1a's multiply-xor over 8-byte words
/// (eight times faster than bytewise), each word's bits mixed down first, then the tail bytes.
inline std::uint64_t checksum(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  const std::size_t words = bytes.size() / 8;
  for (std::size_t i = 0; i < words; ++i) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + 8 * i, 8);
    h = (h ^ (w ^ (w >> 29))) * 0x100000001b3ull;
    h ^= h >> 32;
  }
  for (std::size_t i = 8 * words; i < bytes.size(); ++i)
    h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ull;
  return h;
}

class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) : rest_(bytes) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  template <typename T>
  std::vector<T> get_array(std::size_t most) {
    const auto n = get<std::uint64_t>();
    if (n > most) throw corrupt_data("an array is longer than its data allows");
    // The bytes first: a damaged length must not allocate more than the data holds.
    if (n > rest_.size() / sizeof(T)) throw corrupt_data("the data ends too early");
    const auto bytes = take(static_cast<std::size_t>(n) * sizeof(T));
    std::vector<T> values(static_cast<std::size_t>(n));
    if (n > 0) std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    return std::string(take(n));
  }
  bool done() const noexcept { return rest_.empty(); }
  /// The next n bytes, as they are.
  std::string_view take(std::size_t n) {
    if (n > rest_.size()) throw corrupt_data("the data ends too early");
    const auto part = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return part;
  }

 private:
  std::string_view rest_;
};

}  // namespace hwf::engine
