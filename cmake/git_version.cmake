# Regenerates build/<preset>/generated/build_info.cpp at every build, so run.json always names the
# commit the binary was built from (and whether the tree had uncommitted changes).
set(HWF_GENERATED_DIR "${CMAKE_BINARY_DIR}/generated")
add_custom_target(hwf_build_info_gen
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${HWF_GENERATED_DIR}/build_info.cpp
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/write_build_info.cmake
  BYPRODUCTS ${HWF_GENERATED_DIR}/build_info.cpp
  COMMENT "Recording the git commit in build_info.cpp")
