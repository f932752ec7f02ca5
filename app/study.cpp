#include "app/study.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <fmt/format.h>

namespace hwf::app {

void report_warnings(const model::scenario_description& s, const reporting& r, bool print) {
  if (s.warnings.empty()) return;
  if (r.strict) {
    auto all = s.warnings;
    all.back().notes.push_back("--strict makes warnings errors");
    throw engine::input_error(std::move(all));
  }
  if (print)
    for (const auto& w : s.warnings) r.say(engine::format(w, "warning"));
}

engine::input_error usage_error(std::string what, std::string key, std::string message,
                                std::string note, std::string suggestion) {
  engine::diagnostic d;
  d.where.file = std::move(what);
  d.key_path = std::move(key);
  d.message = std::move(message);
  if (!note.empty()) d.notes.push_back(std::move(note));
  d.suggestion = std::move(suggestion);
  return engine::input_error({std::move(d)});
}

std::vector<std::string> list_items(const std::string& option, const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream ss(text);
  while (std::getline(ss, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? std::string()
                                             : item.substr(first, last - first + 1));
  }
  if (!text.empty() && text.back() == ',') out.emplace_back();
  if (std::find(out.begin(), out.end(), std::string()) != out.end())
    throw usage_error(option, "", fmt::format("'{}' has an empty item", text),
                      fmt::format("write the list without spaces ({} a,b) or quote it ({} "
                                  "\"a, b\"): a space ends the option's value",
                                  option, option));
  return out;
}

std::string fraction_check(const std::string& text) {
  if (text.empty() || text.back() != '%') return {};
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, v);
  if (ec != std::errc() || p != text.data() + text.size() - 1)
    return fmt::format("'{}' is not a number", text);
  return fmt::format("'{}' is a percentage; write the fraction {} instead", text, v / 100);
}

}  // namespace hwf::app
