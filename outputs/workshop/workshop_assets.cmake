# The workshop page: the template, style sheet and app script of this folder, the model compiled
# to WebAssembly (HWF_WORKSHOP_WASM and its loader HWF_WORKSHOP_JS, workshop/CMakeLists.txt) and the report's chart libraries
# (HWF_CHART_LIBRARY_ARGS, report/report_assets.cmake), embedded into a generated C++ source by
# hwf_report_embed. Sets HWF_WORKSHOP_ASSETS_CPP, the generated file (empty without emscripten).

set(HWF_WORKSHOP_ASSETS_CPP "")
if(HWF_HAVE_WORKSHOP)
  set(_dir ${CMAKE_CURRENT_LIST_DIR})
  set(HWF_WORKSHOP_ASSETS_CPP ${CMAKE_CURRENT_BINARY_DIR}/workshop_assets.cpp)
  add_custom_command(
    OUTPUT ${HWF_WORKSHOP_ASSETS_CPP}
    COMMAND hwf_report_embed ${HWF_WORKSHOP_ASSETS_CPP} workshop --wasm ${HWF_WORKSHOP_WASM}
            ${_dir}/template.html
            ${_dir}/../report/base.css,${_dir}/workshop.css ${HWF_WORKSHOP_JS},${_dir}/workshop.js
            ${HWF_CHART_LIBRARY_ARGS}
    DEPENDS hwf_report_embed hwf_workshop_wasm ${HWF_WORKSHOP_JS} ${HWF_WORKSHOP_WASM}
            ${_dir}/template.html
            ${_dir}/../report/base.css ${_dir}/workshop.css ${_dir}/workshop.js
            ${HWF_CHART_LIBRARY_INPUTS}
    COMMENT "Embedding the workshop page, its WebAssembly model and chart libraries"
    VERBATIM)
endif()
