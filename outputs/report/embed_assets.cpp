// Build-time tool: turns a page's template, style sheet, app scripts and the chart libraries
// (Vega, Vega-Lite, vega-embed, from node_modules) into a C++ source file that holds the whole
// page, split where its data goes: report.html (outputs/report_assets.hpp) and the workshop page
// (outputs/workshop_assets.hpp, whose first app script is the model compiled to WebAssembly).
//
// Usage: hwf_report_embed OUT.cpp PAGE [--wasm MODULE.wasm] TEMPLATE.html STYLE.css[,STYLE2.css...]
//                         APP.js[,APP2.js...] (NAME SCRIPT.min.js LICENSE package.json)...
//   PAGE names the functions (PAGE_page_before_data, ...) and the header
//   (outputs/PAGE_assets.hpp). --wasm puts MODULE.wasm, in base64, where the template says
//   @WASM@ (a data block the page's script decodes) and lets the page compile it
//   ('wasm-unsafe-eval').
//
// Every byte is written as a C++ escape or a plain printable character, so no content can end a
// literal early; literals are cut into chunks below the length compilers must support. Each
// script's SHA-256 goes into the page's Content-Security-Policy, so only these scripts run.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <nlohmann/json.hpp>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Case-insensitive search, for HTML tags.
bool contains_nocase(const std::string& text, const std::string& needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && std::tolower(static_cast<unsigned char>(text[i + j])) == needle[j])
      ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

/// A script or style body that would end its element early, or switch the HTML parser into
/// another state, is refused rather than patched: patching code could change its meaning.
void check_inline_safe(const std::string& what, const std::string& body, const std::string& tag) {
  for (const std::string& bad : std::vector<std::string>{"</" + tag, "<!--", "<" + tag})
    if (contains_nocase(body, bad))
      throw std::runtime_error(what + " contains '" + bad +
                               "', which would break the page it is inlined into");
}

std::string sha256_base64(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char out[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(out, digest, SHA256_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

/// The files of a comma-separated list argument ("a.css,b.css").
std::vector<std::string> split_list(const std::string& arg) {
  std::vector<std::string> out;
  for (std::size_t from = 0; from <= arg.size();) {
    const auto comma = std::min(arg.find(',', from), arg.size());
    out.push_back(arg.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

/// `bytes` in base64 (RFC 4648, with padding).
std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

void replace_once(std::string& text, const std::string& placeholder, const std::string& value) {
  const auto pos = text.find(placeholder);
  if (pos == std::string::npos || text.find(placeholder, pos + 1) != std::string::npos)
    throw std::runtime_error("the template must hold " + placeholder + " exactly once");
  text.replace(pos, placeholder.size(), value);
}

/// `text` as a sequence of C++ string literals of at most ~4,000 characters each.
std::string literal_chunks(const std::string& text) {
  std::string out;
  std::size_t width = 0;
  out += "    std::string_view(\"";
  std::size_t chunk_bytes = 0;
  std::string chunk;
  const auto flush = [&](bool last) {
    out += chunk;
    out += "\", " + std::to_string(chunk_bytes) + ")";
    out += last ? ",\n" : ",\n    std::string_view(\"";
    chunk.clear();
    chunk_bytes = 0;
    width = 0;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\' || c == '?' || c < 0x20 || c > 0x7e) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      chunk += buf;
      width += 4;
    } else {
      chunk += static_cast<char>(c);
      width += 1;
    }
    ++chunk_bytes;
    if (width >= 4000 && i + 1 < text.size()) flush(false);
  }
  flush(true);
  return out;
}

struct library {
  std::string name, version, script;
};

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool wasm = false;
  std::string wasm_base64;
  if (args.size() > 3 && args[2] == "--wasm") {
    wasm = true;
    wasm_base64 = base64(read_file(args[3]));
    args.erase(args.begin() + 2, args.begin() + 4);
  }
  if (args.size() < 5 || (args.size() - 5) % 4 != 0) {
    std::cerr << "usage: hwf_report_embed OUT.cpp PAGE [--wasm MODULE.wasm] TEMPLATE.html "
                 "STYLE.css[,...] "
                 "APP.js[,APP2.js...] (NAME SCRIPT LICENSE package.json)...\n";
    return 2;
  }
  const std::string out_path = args[0];
  const std::string name = args[1];
  std::string page = read_file(args[2]);
  std::string style;
  for (const auto& file : split_list(args[3])) {
    style += read_file(file);
    check_inline_safe(file, style, "style");
  }
  std::vector<std::string> apps;
  for (const auto& file : split_list(args[4])) {
    apps.push_back(read_file(file));
    check_inline_safe(file, apps.back(), "script");
  }

  std::vector<library> libs;
  for (std::size_t i = 5; i < args.size(); i += 4) {
    library lib;
    lib.name = args[i];
    const std::string code = read_file(args[i + 1]);
    const std::string license = read_file(args[i + 2]);
    lib.version = nlohmann::json::parse(read_file(args[i + 3])).at("version").get<std::string>();
    if (license.find("*/") != std::string::npos)
      throw std::runtime_error(args[i + 2] + " contains '*/'");
    // The licence travels with the code it covers (BSD-3-Clause asks for its notice to be kept).
    lib.script = "/*! " + lib.name + " " + lib.version + "\n" + license + "*/\n" + code;
    check_inline_safe(args[i + 1], lib.script, "script");
    libs.push_back(std::move(lib));
  }

  std::string scripts, hashes, versions;
  const auto add_script = [&](const std::string& body) {
    scripts += "<script>" + body + "</script>\n";
    hashes += " 'sha256-" + sha256_base64(body) + "'";
  };
  for (const auto& lib : libs) {
    add_script(lib.script);
    versions += (versions.empty() ? "" : ", ") + lib.name + " " + lib.version;
  }
  for (const auto& app : apps) add_script(app);
  // No network of any kind, scripts only by hash (and, with --wasm, WebAssembly compiled from
  // the inlined module's bytes), styles inline (vega-embed adds its own), images only from data:
  // and blob: URLs (the PNG and SVG exports).
  const std::string csp = "default-src 'none'; script-src" + hashes +
                          (wasm ? " 'wasm-unsafe-eval'" : "") +
                          "; style-src 'unsafe-inline'; img-src data: blob:; "
                          "base-uri 'none'; form-action 'none'";
  replace_once(page, "@CSP@", csp);
  replace_once(page, "@STYLE@", style);
  replace_once(page, "@SCRIPTS@", scripts);
  if (wasm) replace_once(page, "@WASM@", wasm_base64);
  const auto at = page.find("@DATA@");
  if (at == std::string::npos || page.find("@DATA@", at + 1) != std::string::npos)
    throw std::runtime_error("the template must hold @DATA@ exactly once");

  std::ostringstream cpp;
  cpp << "// Generated by hwf_report_embed from outputs/" << name
      << "/ and the chart libraries in\n// outputs/report/node_modules: do not edit.\n"
      << "#include \"outputs/" << name << "_assets.hpp\"\n\n"
      << "namespace hwf::out::detail {\n\nnamespace {\n"
      << "constexpr std::string_view before_data[] = {\n"
      << literal_chunks(page.substr(0, at)) << "};\nconstexpr std::string_view after_data[] = {\n"
      << literal_chunks(page.substr(at + 6)) << "};\n"
      << "constexpr std::string_view libraries[] = {\n"
      << literal_chunks(versions) << "};\n}  // namespace\n\n"
      << "std::span<const std::string_view> " << name
      << "_page_before_data() { return before_data; }\n"
      << "std::span<const std::string_view> " << name
      << "_page_after_data() { return after_data; }\n"
      << "std::string_view " << name << "_libraries() { return libraries[0]; }\n\n"
      << "}  // namespace hwf::out::detail\n";
  const std::string text = cpp.str();
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + out_path);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "hwf_report_embed: " << e.what() << "\n";
  return 1;
}
