# libFuzzer targets (tests/fuzz/), built only with -DECSCTL_FUZZ=ON and clang:
# tests/fuzz/run configures build-fuzz/ that way and runs each for a while.
if(NOT ECSCTL_FUZZ)
  return()
endif()
set(_fuzz_targets
  fuzz_taskdef:ecsctl_schemas
  fuzz_shorthand:ecsctl_commands
  fuzz_jmespath:ecsctl_output
  fuzz_config:ecsctl_client
  fuzz_xml_response:ecsctl_client
  fuzz_json_response:ecsctl_client
  fuzz_schedule:ecsctl_schemas
  fuzz_local_request:ecsctl_local)
foreach(_entry ${_fuzz_targets})
  string(REPLACE ":" ";" _pair ${_entry})
  list(GET _pair 0 _name)
  list(GET _pair 1 _lib)
  add_executable(${_name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${_name}.cpp)
  target_link_libraries(${_name} PRIVATE ${_lib} ecsctl_output ecsctl_crypto_shared)
  target_link_options(${_name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${_name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
endforeach()
