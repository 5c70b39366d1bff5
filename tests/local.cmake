# Benchmarks of the local control plane (bench/local*): built on request only.
add_executable(bench_local_place EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/local_place.cpp)
target_link_libraries(bench_local_place PRIVATE ecsctl_local)
add_executable(bench_local_load EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/local_load.cpp)
target_link_libraries(bench_local_load PRIVATE ecsctl_client ecsctl_server_deps ecsctl_crypto_shared)
# it_local_account runs about 70 `aws` commands (a second or more each on a busy machine).
set_tests_properties(it_local_account PROPERTIES TIMEOUT 1200)
