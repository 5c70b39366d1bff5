# Extra CMake of the commands area (included from tests/CMakeLists.txt).
# The AWS CLI comparison skips (exit 77) where Debian's awscli is not installed.
if(TEST it_api_awscli)
  set_tests_properties(it_api_awscli PROPERTIES SKIP_RETURN_CODE 77)
endif()
