#include "docs_tables.hpp"

#include "models/workforce/comparison.hpp"
#include "models/workforce/monte_carlo.hpp"

namespace hwf::test {

out::key_columns_by_table teaching_key_columns() {
  const auto study = model::prepare_study(
      {std::string(HWF_SOURCE_DIR) + "/scenarios/two-countries-uncertainty.yaml"}, 1);
  const auto& m = *study.models.at(0);
  out::key_columns_by_table keys;
  for (const auto& schema : m.schemas()) keys[schema->name] = schema->key_columns;
  // The teaching model has no age bands: the ages table's keys from a model that has.
  keys["ages"] = model::ages_key_columns();
  for (const auto& schema : {model::country_summary_schema(m), model::corridor_summary_schema(m),
                             study.probability_schema})
    keys[schema->name] = schema->key_columns;
  return keys;
}

std::optional<std::string> current_cli_docs(std::string_view text) {
  const auto keys = teaching_key_columns();
  return out::with_generated_blocks(
      text, [&](std::string_view name) { return out::docs_block(name, keys); });
}

}  // namespace hwf::test
