// SHA-256 of input files in the workshop page's WebAssembly build, with mbed TLS (the native
// build uses OpenSSL: models/workforce/sha256.cpp). Same function, same digests.

#include <mbedtls/sha256.h>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[32];
  if (mbedtls_sha256_ret(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest,
                         0) != 0)
    throw engine::internal_error("SHA-256 computation failed");
  std::string out;
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace hwf::model
