// Placeholder until the client layer lands.
#include "client/api.hpp"
#include "cli/error.hpp"
namespace ecsctl::client {
Json call(Context&, std::string_view, std::string_view, const Json&) {
  throw Error(Exit::other, "the AWS client is not implemented yet");
}
Json call_paginated(Context& ctx, std::string_view s, std::string_view o, const Json& in, const PageOptions&) {
  return call(ctx, s, o, in);
}
}
