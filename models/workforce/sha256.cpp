// SHA-256 of input files (OpenSSL libcrypto). The workshop page's WebAssembly build, which has
// no OpenSSL, compiles workshop/wasm/sha256_mbedtls.cpp in its place.

#include <openssl/evp.h>

#include <fmt/format.h>

#include "engine/diagnostics.hpp"
#include "models/workforce/description.hpp"

namespace hwf::model {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw engine::internal_error("SHA-256 computation failed");
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

}  // namespace hwf::model
