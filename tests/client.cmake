# The client's test tools: a SigV4-checking HTTP server for tests/integration/client_*.sh.
add_executable(sigv4_test_server ${CMAKE_CURRENT_SOURCE_DIR}/tools/sigv4_test_server.cpp)
target_link_libraries(sigv4_test_server PRIVATE ecsctl_client ecsctl_server_deps
  ecsctl_crypto_shared)
set_target_properties(sigv4_test_server PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
# unit_client's live-server tests spawn it.
if(TARGET unit_client)
  add_dependencies(unit_client sigv4_test_server)
endif()
