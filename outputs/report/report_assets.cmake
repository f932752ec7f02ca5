# report.html's page: the template, style sheet and app script of this folder, and Vega, Vega-Lite
# and vega-embed from node_modules (installed by cmake/install-deps.sh with `npm ci`, at the exact
# versions of package-lock.json), embedded into a generated C++ source by hwf_report_embed.
# Sets HWF_REPORT_ASSETS_CPP, the generated file.

set(_report_dir ${CMAKE_CURRENT_LIST_DIR})
set(_modules ${_report_dir}/node_modules)
file(READ ${_report_dir}/package-lock.json _lock)
set(_embed_args)
set(_embed_inputs)
foreach(_pkg vega vega-lite vega-embed)
  string(JSON _want GET "${_lock}" packages "node_modules/${_pkg}" version)
  set(_script ${_modules}/${_pkg}/build/${_pkg}.min.js)
  if(NOT EXISTS ${_script} OR NOT EXISTS ${_modules}/${_pkg}/package.json)
    message(FATAL_ERROR
      "report.html needs ${_pkg} ${_want} in outputs/report/node_modules, which is missing: "
      "run cmake/install-deps.sh (it runs `npm ci` in outputs/report), then configure again.")
  endif()
  file(READ ${_modules}/${_pkg}/package.json _package)
  string(JSON _have GET "${_package}" version)
  if(NOT _have STREQUAL _want)
    message(FATAL_ERROR
      "outputs/report/node_modules holds ${_pkg} ${_have}, but package-lock.json pins ${_want}: "
      "run cmake/install-deps.sh (it runs `npm ci` in outputs/report), then configure again.")
  endif()
  list(APPEND _embed_args ${_pkg} ${_script} ${_modules}/${_pkg}/LICENSE
       ${_modules}/${_pkg}/package.json)
  list(APPEND _embed_inputs ${_script} ${_modules}/${_pkg}/LICENSE ${_modules}/${_pkg}/package.json)
endforeach()
# Reconfigure when the lock file changes, so that the version check above runs again.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_report_dir}/package-lock.json)

# The generator runs at build time, on the build machine.
add_executable(hwf_report_embed ${_report_dir}/embed_assets.cpp)
target_compile_features(hwf_report_embed PRIVATE cxx_std_20)
target_link_libraries(hwf_report_embed PRIVATE nlohmann_json::nlohmann_json OpenSSL::Crypto)

set(HWF_REPORT_ASSETS_CPP ${CMAKE_CURRENT_BINARY_DIR}/report_assets.cpp)
set(_page ${_report_dir}/template.html ${_report_dir}/base.css,${_report_dir}/report.css
          ${_report_dir}/report.js)
# The chart libraries' arguments, for the workshop page too (outputs/workshop/workshop_assets.cmake).
set(HWF_CHART_LIBRARY_ARGS ${_embed_args})
set(HWF_CHART_LIBRARY_INPUTS ${_embed_inputs})
add_custom_command(
  OUTPUT ${HWF_REPORT_ASSETS_CPP}
  COMMAND hwf_report_embed ${HWF_REPORT_ASSETS_CPP} report ${_page} ${_embed_args}
  DEPENDS hwf_report_embed ${_report_dir}/template.html ${_report_dir}/base.css
          ${_report_dir}/report.css ${_report_dir}/report.js ${_embed_inputs}
  COMMENT "Embedding report.html's page and chart libraries"
  VERBATIM)
