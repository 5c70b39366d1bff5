// One validator, two wordings (schemas/validate_input.hpp): the same invalid
// input fed to the client's check (botocore's ParamValidationError) and to the
// local control plane's (the service's exception) is refused by both, and both
// name the same member.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "local/router.hpp"
#include "schemas/model_view.hpp"
#include "schemas/validate_input.hpp"

using ecsctl::Json;
namespace model = ecsctl::model;

namespace {

struct Outcome {
  std::string client_member;   // the "at: parameter X" of the usage error
  std::string client_message;
  std::string service_code;
  std::string service_message;
};

Outcome both(const std::string& service, const std::string& operation, const std::string& json) {
  Outcome o;
  Json input = Json::parse(json);
  const model::OperationView& v = model::view(service, operation);
  try {
    Json copy = input;
    model::throw_client_error(model::validate(*v.input, copy, model::client_checks()));
  } catch (const ecsctl::Error& e) {
    CHECK(e.code() == ecsctl::Exit::usage);
    o.client_message = e.what();
    o.client_member = e.location().substr(std::string("parameter ").size());
  }
  try {
    ecsctl::local::validate_input(service, operation, input);
  } catch (const ecsctl::local::ApiError& e) {
    o.service_code = e.code;
    o.service_message = e.what();
  }
  return o;
}

}  // namespace

TEST_SUITE("validate input: client and service") {
  TEST_CASE("a missing nested member") {
    Outcome o = both("ecs", "RunTask",
                     R"({"taskDefinition":"x","networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"ENABLED"}}})");
    CHECK(o.client_member == "networkConfiguration.awsvpcConfiguration.subnets");
    CHECK(o.client_message ==
          "Parameter validation failed:\nMissing required parameter in networkConfiguration.awsvpcConfiguration: "
          "\"subnets\"");
    CHECK(o.service_code == "InvalidParameterException");
    CHECK(o.service_message ==
          "1 validation error detected: Value null at 'networkConfiguration.awsvpcConfiguration.subnets' failed to "
          "satisfy constraint: Member must not be null");
  }

  TEST_CASE("a value of the wrong type") {
    Outcome o = both("ecs", "RunTask", R"({"taskDefinition":"x","count":"two"})");
    CHECK(o.client_member == "count");
    CHECK(o.client_message.find("Invalid type for parameter count, value: two") != std::string::npos);
    CHECK(o.service_code == "SerializationException");
    CHECK(o.service_message == "STRING_VALUE can not be converted to an Integer at 'count'");
  }

  TEST_CASE("below the minimum length (EventBridge: ValidationException, members lower-cased)") {
    Outcome o = both("events", "PutRule", R"({"Name":""})");
    CHECK(o.client_member == "Name");
    CHECK(o.client_message == "Parameter validation failed:\nInvalid length for parameter Name, value: , valid min length: 1");
    CHECK(o.service_code == "ValidationException");
    CHECK(o.service_message ==
          "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length "
          "greater than or equal to 1");
  }

  TEST_CASE("several findings: all of them, in one message each side") {
    Outcome o = both("ecs", "RunTask", R"({"count":0,"networkConfiguration":{"awsvpcConfiguration":{}}})");
    CHECK(o.client_message.find("\nMissing required parameter in input: \"taskDefinition\"") != std::string::npos);
    CHECK(o.client_message.find("\nMissing required parameter in networkConfiguration.awsvpcConfiguration: \"subnets\"") !=
          std::string::npos);
    CHECK(o.service_message.find("2 validation errors detected: ") == 0);
    CHECK(o.service_message.find("Value null at 'taskDefinition'") != std::string::npos);
  }

  TEST_CASE("enums: the client passes unknown values through (a note); the service refuses them") {
    Json input = Json::parse(R"({"taskDefinition":"x","launchType":"BOGUS"})");
    const model::OperationView& v = model::view("ecs", "RunTask");
    model::Findings f = model::validate(*v.input, input, model::client_checks());
    CHECK(f.ok());
    REQUIRE(f.notes.size() == 1);
    CHECK(model::client_note(f.notes[0]).find("launchType: 'BOGUS' is not one of") == 0);
    Outcome o = both("ecs", "RunTask", input.dump());
    CHECK(o.client_message.empty());
    CHECK(o.service_code == "InvalidParameterException");
    CHECK(o.service_message.find("Value 'BOGUS' at 'launchType' failed to satisfy constraint: Member must satisfy enum "
                                 "value set: [EC2, FARGATE, EXTERNAL") != std::string::npos);
  }

  TEST_CASE("unknown members: botocore refuses them, the service ignores them") {
    Outcome o = both("ecs", "ListClusters", R"({"bogus":1})");
    CHECK(o.client_member == "bogus");
    CHECK(o.service_code.empty());
  }

  TEST_CASE("the view: members in model order, required, enums and bounds") {
    const model::OperationView& v = model::view("ecs", "RunTask");
    REQUIRE(v.input != nullptr);
    CHECK(v.input->name == "RunTaskRequest");
    CHECK(v.input->members.front().name == "capacityProviderStrategy");
    REQUIRE(v.input->member("taskDefinition") != nullptr);
    CHECK(v.input->member("taskDefinition")->required);
    CHECK(v.input->member("clientToken")->idempotency_token);
    const model::Shape& lt = v.input->member("launchType")->target();
    CHECK(lt.has_enum());
    CHECK(lt.allows("FARGATE"));
    CHECK_FALSE(lt.allows("BOGUS"));
    CHECK(&model::view("ecs", "RunTask") == &v);  // built once
    const model::OperationView& put = model::view("events", "PutRule");
    CHECK(put.input->member("Name")->target().min == 1.0);
    CHECK(put.input->member("Name")->target().max == 64.0);
  }
}
