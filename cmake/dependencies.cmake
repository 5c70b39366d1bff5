# Finds the Debian packages ecsctl builds with, and names the package to
# install when one is missing (scripts/install-deps installs them all).
function(ecsctl_require found pkg what)
  if(NOT ${found})
    message(FATAL_ERROR "ecsctl: ${what} not found. Install the Debian package '${pkg}' "
                        "(apt-get install -y ${pkg}), or run scripts/install-deps.")
  endif()
endfunction()

find_package(PkgConfig QUIET)
find_package(nlohmann_json CONFIG QUIET)
ecsctl_require(nlohmann_json_FOUND nlohmann-json3-dev "nlohmann/json")
find_package(yaml-cpp CONFIG QUIET)
ecsctl_require(yaml-cpp_FOUND libyaml-cpp-dev "yaml-cpp")
find_path(FMT_INCLUDE fmt/format.h)
ecsctl_require(FMT_INCLUDE libfmt-dev "fmt")
find_path(CURL_INCLUDE curl/curl.h)
ecsctl_require(CURL_INCLUDE libcurl4-openssl-dev "libcurl headers")
find_library(CRYPTO_STATIC NAMES libcrypto.a)
find_path(OPENSSL_INCLUDE openssl/hmac.h)
ecsctl_require(OPENSSL_INCLUDE libssl-dev "OpenSSL")
ecsctl_require(CRYPTO_STATIC libssl-dev "OpenSSL static libcrypto")
find_library(PUGIXML_STATIC NAMES libpugixml.a)
ecsctl_require(PUGIXML_STATIC libpugixml-dev "pugixml")
find_library(YAMLCPP_STATIC NAMES libyaml-cpp.a)
ecsctl_require(YAMLCPP_STATIC libyaml-cpp-dev "yaml-cpp static library")
find_path(SQLITE_INCLUDE sqlite3.h)
find_library(SQLITE_STATIC NAMES libsqlite3.a)
ecsctl_require(SQLITE_STATIC libsqlite3-dev "SQLite")
find_path(HTTPLIB_INCLUDE httplib.h)
find_library(HTTPLIB_LIB NAMES cpp-httplib)
ecsctl_require(HTTPLIB_LIB libcpp-httplib-dev "cpp-httplib")
find_package(Threads REQUIRED)

# Header-only and static dependencies of every part of ecsctl. Static archives
# keep the dynamic loader's work at start-up close to a bare C++ program.
add_library(ecsctl_deps INTERFACE)
target_link_libraries(ecsctl_deps INTERFACE nlohmann_json::nlohmann_json
  ${YAMLCPP_STATIC} ${PUGIXML_STATIC} Threads::Threads)
target_include_directories(ecsctl_deps INTERFACE ${CURL_INCLUDE} ${FMT_INCLUDE} ${OPENSSL_INCLUDE})
target_compile_definitions(ecsctl_deps INTERFACE FMT_HEADER_ONLY=1 JSON_USE_IMPLICIT_CONVERSIONS=1)

# libcrypto (SigV4's SHA-256/HMAC): statically into `ecsctl`, so signing costs no
# extra shared library at start-up; shared where libssl is loaded anyway (the
# local control plane, through cpp-httplib) and in the test binaries.
find_library(CRYPTO_SHARED NAMES crypto)
add_library(ecsctl_crypto_static INTERFACE)
target_link_libraries(ecsctl_crypto_static INTERFACE ${CRYPTO_STATIC} ${CMAKE_DL_LIBS} Threads::Threads)
add_library(ecsctl_crypto_shared INTERFACE)
target_link_libraries(ecsctl_crypto_shared INTERFACE ${CRYPTO_SHARED})

# The local control plane alone links cpp-httplib (and with it libssl) and SQLite.
# It serves HTTPS with --tls (httplib's SSLServer calls libssl directly).
find_library(SSL_SHARED NAMES ssl)
add_library(ecsctl_server_deps INTERFACE)
target_link_libraries(ecsctl_server_deps INTERFACE ${HTTPLIB_LIB} ${SSL_SHARED} ${CRYPTO_SHARED} ${SQLITE_STATIC} ${CMAKE_DL_LIBS})
target_include_directories(ecsctl_server_deps INTERFACE ${HTTPLIB_INCLUDE} ${SQLITE_INCLUDE})
# Debian builds libcpp-httplib with these; its header must see the same ones or
# the classes' layout differs from the library's (stack corruption).
target_compile_definitions(ecsctl_server_deps INTERFACE
  CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT CPPHTTPLIB_BROTLI_SUPPORT)

find_package(doctest CONFIG QUIET)
