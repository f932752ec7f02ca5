// The workshop page's entry into the model: one C function that takes a JSON request and
// returns the JSON response (app::workshop_session), as a string the page frees with
// hwf_free. The page writes the scenario files into the module's in-memory file system first.

#include <cstdlib>
#include <cstring>

#include <emscripten/emscripten.h>

#include "app/workshop_session.hpp"

namespace {
hwf::app::workshop_session session;
}

extern "C" {

EMSCRIPTEN_KEEPALIVE char* hwf_call(const char* request) {
  const std::string response = session.handle(request);
  auto* out = static_cast<char*>(std::malloc(response.size() + 1));
  if (out) std::memcpy(out, response.c_str(), response.size() + 1);
  return out;
}

EMSCRIPTEN_KEEPALIVE void hwf_free(char* p) {
  std::free(p);
}

}  // extern "C"
