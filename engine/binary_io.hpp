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
    std::vector<T> values(n);
    const auto bytes = take(n * sizeof(T));
    if (n > 0) std::memcpy(values.data(), bytes.data(), n * sizeof(T));
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
