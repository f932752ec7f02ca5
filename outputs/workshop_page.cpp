#include "outputs/workshop_page.hpp"

#include "engine/diagnostics.hpp"
#include "outputs/html_report.hpp"

#if HWF_HAVE_WORKSHOP
#include "outputs/workshop_assets.hpp"
#endif

namespace hwf::out {

std::optional<std::string> workshop_unavailable() {
#if HWF_HAVE_WORKSHOP
  return std::nullopt;
#else
  return std::string(HWF_WORKSHOP_UNAVAILABLE);
#endif
}

std::string workshop_html(std::string_view data_json) {
#if HWF_HAVE_WORKSHOP
  return page_with_data(detail::workshop_page_before_data(), data_json,
                        detail::workshop_page_after_data());
#else
  (void)data_json;
  throw engine::internal_error("workshop_html: " + *workshop_unavailable());
#endif
}

std::string_view workshop_libraries() {
#if HWF_HAVE_WORKSHOP
  return detail::workshop_libraries();
#else
  return {};
#endif
}

}  // namespace hwf::out
