// Request building: command lines in the AWS CLI's input forms -> the JSON
// input sent to the client.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "commands/api.hpp"

using ecsctl::Json;
namespace api = ecsctl::commands::api;

namespace {

struct Fixture {
  std::ostringstream out, err;
  ecsctl::Context ctx{out, err, ecsctl::Environment::isolated({{"HOME", "/nonexistent"}})};
};

api::Request parse(const std::string& service, const std::string& command, std::vector<std::string> args) {
  Fixture f;
  auto op = api::find_operation(service, command);
  REQUIRE(op.has_value());
  return api::parse_request(f.ctx, *op, args);
}

Json input_of(const std::string& command, std::vector<std::string> args, const std::string& service = "ecs") {
  Json in = parse(service, command, std::move(args)).input;
  in.erase("clientToken");  // idempotency tokens are random
  in.erase("ClientToken");
  return in;
}

// The usage error's message (what()) for a command line, "" if none.
std::string error_of(const std::string& command, std::vector<std::string> args, const std::string& service = "ecs",
                     std::string* hint = nullptr) {
  try {
    parse(service, command, std::move(args));
  } catch (const ecsctl::Error& e) {
    CHECK(e.code() == ecsctl::Exit::usage);
    if (hint) *hint = e.hint();
    return e.what();
  }
  return "";
}

std::string temp_file(const std::string& name, const std::string& content) {
  std::string path = std::string(ECSCTL_BINARY_DIR) + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_SUITE("api request") {
  TEST_CASE("scalars, lists of scalars and booleans") {
    CHECK(input_of("describe-services", {"--cluster", "web", "--services", "a", "b", "c"}) ==
          Json::parse(R"({"cluster":"web","services":["a","b","c"]})"));
    CHECK(input_of("describe-services", {"--services", R"(["a","b"])", "--cluster=web"}) ==
          Json::parse(R"({"cluster":"web","services":["a","b"]})"));
    CHECK(input_of("update-service", {"--service", "api", "--force-new-deployment"}) ==
          Json::parse(R"({"service":"api","forceNewDeployment":true})"));
    CHECK(input_of("update-service", {"--service", "api", "--no-force-new-deployment", "--desired-count", "3"}) ==
          Json::parse(R"({"service":"api","desiredCount":3,"forceNewDeployment":false})"));
    CHECK(input_of("run-task", {"--task-definition", "app:1", "--disable-execute-command"})["enableExecuteCommand"] == false);
    CHECK(input_of("describe-clusters", {}) == Json::object());
  }

  TEST_CASE("structures from shorthand and JSON give the same input") {
    Json shorthand = input_of("run-task", {"--task-definition", "app", "--network-configuration",
                                           "awsvpcConfiguration={subnets=[subnet-1,subnet-2],assignPublicIp=ENABLED}"});
    Json json = input_of("run-task", {"--task-definition", "app", "--network-configuration",
                                      R"({"awsvpcConfiguration":{"subnets":["subnet-1","subnet-2"],"assignPublicIp":"ENABLED"}})"});
    CHECK(shorthand == json);
    CHECK(shorthand["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == Json::parse(R"(["subnet-1","subnet-2"])"));
  }

  TEST_CASE("shorthand leaves are typed by the model; scalars become lists where the model says list") {
    Json in = input_of("create-service",
                       {"--service-name", "api", "--load-balancers",
                        "targetGroupArn=arn:tg,containerName=web,containerPort=8080",
                        "--deployment-configuration", "maximumPercent=200,minimumHealthyPercent=50,"
                        "deploymentCircuitBreaker={enable=true,rollback=FALSE}",
                        "--network-configuration", "awsvpcConfiguration={subnets=subnet-1}"});
    CHECK(in["loadBalancers"] == Json::parse(R"([{"targetGroupArn":"arn:tg","containerName":"web","containerPort":8080}])"));
    CHECK(in["deploymentConfiguration"]["maximumPercent"] == 200);
    CHECK(in["deploymentConfiguration"]["deploymentCircuitBreaker"] == Json::parse(R"({"enable":true,"rollback":false})"));
    CHECK(in["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == Json::parse(R"(["subnet-1"])"));
  }

  TEST_CASE("lists of structures: one shorthand or JSON value per word") {
    Json expected = Json::parse(R"([{"key":"a","value":"1"},{"key":"c","value":"d"}])");
    CHECK(input_of("create-cluster", {"--tags", "key=a,value=1", "key=c,value=d"})["tags"] == expected);
    CHECK(input_of("create-cluster", {"--tags", R"({"key":"a","value":"1"})", R"({"key":"c","value":"d"})"})["tags"] == expected);
    CHECK(input_of("create-cluster", {"--tags", R"([{"key":"a","value":"1"},{"key":"c","value":"d"}])"})["tags"] == expected);
    CHECK(input_of("add-tags", {"--resource-arns", "arn:1", "--tags", "Key=a,Value=b", "Key=c,Value=d"}, "elbv2")["Tags"] ==
          Json::parse(R"([{"Key":"a","Value":"b"},{"Key":"c","Value":"d"}])"));
  }

  TEST_CASE("overrides JSON is kept exactly") {
    std::string overrides = R"({"containerOverrides":[{"name":"web","command":["echo","hi"],"environment":[{"name":"A","value":"1"}]}],"cpu":"256"})";
    CHECK(input_of("run-task", {"--task-definition", "app", "--overrides", overrides})["overrides"] == Json::parse(overrides));
  }

  TEST_CASE("--cli-input-json and --cli-input-yaml merge with flags, flags win") {
    Json in = input_of("update-service", {"--cli-input-json", R"({"cluster":"c1","service":"s1","desiredCount":2})",
                                          "--desired-count", "5"});
    CHECK(in == Json::parse(R"({"desiredCount":5,"cluster":"c1","service":"s1"})"));
    std::string yaml = "cluster: c2\nservice: 's2'\ndesiredCount: 4\nforceNewDeployment: true\n"
                       "networkConfiguration:\n  awsvpcConfiguration:\n    subnets:\n    - subnet-9\n";
    Json y = input_of("update-service", {"--cli-input-yaml", yaml});
    CHECK(y == Json::parse(R"({"cluster":"c2","service":"s2","desiredCount":4,"forceNewDeployment":true,
                              "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-9"]}}})"));
    std::string path = temp_file("api_request_input.json", R"({"cluster":"from-file","service":"s"})");
    CHECK(input_of("update-service", {"--cli-input-json", "file://" + path})["cluster"] == "from-file");
    std::remove(path.c_str());
    CHECK(error_of("update-service", {"--cli-input-json", "{}", "--cli-input-yaml", "a: b"}) ==
          "Only one --cli-input- parameter may be specified.");
    CHECK(error_of("update-service", {"--cli-input-json", "[1]"}).find("expecting map") != std::string::npos);
    // required members may come from the input file
    CHECK(error_of("update-service", {"--cli-input-json", R"({"cluster":"c"})"}) ==
          "the following arguments are required: --service");
  }

  TEST_CASE("file:// values") {
    std::string path = temp_file("api_request_overrides.json", R"({"cpu":"512"})");
    CHECK(input_of("run-task", {"--task-definition", "app", "--overrides", "file://" + path})["overrides"] ==
          Json::parse(R"({"cpu":"512"})"));
    std::remove(path.c_str());
    CHECK(error_of("run-task", {"--task-definition", "file:///nonexistent/x"}).find("Unable to load paramfile") !=
          std::string::npos);
  }

  TEST_CASE("types, enums and unknown members are checked") {
    std::string hint;
    CHECK(error_of("update-service", {"--service", "s", "--desired-count", "two"}).find("invalid integer value 'two'") !=
          std::string::npos);
    // Enums are not checked on the client (botocore never does): the value is
    // sent, and a note is kept for the hint when the service refuses it.
    api::Request r = parse("ecs", "run-task", {"--task-definition", "a", "--launch-type", "FARGTE"});
    CHECK(r.input["launchType"] == "FARGTE");
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0].find("launchType: 'FARGTE' is not one of") == 0);
    CHECK(r.notes[0].find("did you mean 'FARGATE'?") != std::string::npos);
    CHECK(parse("ecs", "run-task", {"--task-definition", "a", "--launch-type", "FARGATE"}).notes.empty());
    std::string e = error_of("run-task", {"--task-definition", "a", "--network-configuration", "awsvpcConfig={subnets=[a]}"}, "ecs",
                 &hint);
    CHECK(e.find("Unknown parameter in networkConfiguration: \"awsvpcConfig\"") != std::string::npos);
    CHECK(hint == "did you mean \"awsvpcConfiguration\"?");
    e = error_of("run-task", {"--task-definition", "a", "--network-configuration", "awsvpcConfiguration={assignPublicIp=ENABLED}"});
    CHECK(e.find("Missing required parameter in networkConfiguration.awsvpcConfiguration: \"subnets\"") != std::string::npos);
    e = error_of("run-task", {"--task-definition", "a", "--overrides", R"({"cpu": 256})"});
    CHECK(e.find("Invalid type for parameter overrides.cpu") != std::string::npos);
    e = error_of("run-task", {"--task-definition", "a", "--count", "1", "--overrides", "{bad json"});
    CHECK(e.find("Error parsing parameter '--overrides': Invalid JSON") != std::string::npos);
  }

  TEST_CASE("every finding is reported, one per line, as botocore does") {
    std::string e = error_of("run-task", {"--cli-input-json",
                                          R"({"taskDefinition":"a","count":"2","bogus":1,"networkConfiguration":)"
                                          R"({"awsvpcConfiguration":{}}})"});
    CHECK(e.find("Parameter validation failed:\n") == 0);
    CHECK(e.find("\nUnknown parameter in input: \"bogus\"") != std::string::npos);
    CHECK(e.find("\nInvalid type for parameter count, value: 2, type: string, valid types: integer") != std::string::npos);
    CHECK(e.find("\nMissing required parameter in networkConfiguration.awsvpcConfiguration: \"subnets\"") !=
          std::string::npos);
  }

  TEST_CASE("shorthand errors name the flag and the column, with a caret") {
    try {
      parse("ecs", "run-task", {"--task-definition", "a", "--network-configuration", "awsvpcConfiguration={subnets=[a,b}"});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      std::string msg = e.what();
      CHECK(msg.find("Error parsing parameter '--network-configuration'") == 0);
      CHECK(msg.find("Expected: ',', received: '}'") != std::string::npos);
      // The caret sits under the '}' at index 33, as awscli's ShorthandParser._error_location puts it.
      CHECK(msg.find("\n" + std::string(33, ' ') + "^") != std::string::npos);
      CHECK(e.location() == "column 34 of the value of --network-configuration");
    }
  }

  TEST_CASE("unknown flags, missing values, stray words") {
    std::string hint;
    CHECK(error_of("describe-services", {"--cluster", "c", "--servics", "a"}, "ecs", &hint) == "Unknown options: --servics");
    CHECK(hint == "did you mean '--services'?");
    // A unique prefix is the flag, as argparse (and so the AWS CLI) takes it.
    CHECK(error_of("describe-services", {"--cluster", "c", "--service", "a"}).empty());
    CHECK(error_of("describe-services", {"--cluster"}) == "argument --cluster: expected one argument");
    CHECK(error_of("describe-services", {"--services", "a", "stray"}).empty());  // lists take every word
    CHECK(error_of("describe-clusters", {"stray"}) == "Unknown options: stray");
    CHECK(error_of("update-service", {"--service", "s", "--force-new-deployment=yes"}).find("ignored explicit argument") !=
          std::string::npos);
  }

  TEST_CASE("a unique prefix of a flag is that flag; an ambiguous one names the candidates") {
    CHECK(input_of("list-services", {"--clust", "web", "--launch", "FARGATE"}) ==
          Json::parse(R"({"cluster":"web","launchType":"FARGATE"})"));
    CHECK(input_of("update-service", {"--service", "api", "--desired=3", "--force-new"}) ==
          Json::parse(R"({"service":"api","desiredCount":3,"forceNewDeployment":true})"));
    // An exact name wins over the longer names it is a prefix of.
    CHECK(input_of("update-service", {"--service", "api", "--cluster", "c"}) ==
          Json::parse(R"({"cluster":"c","service":"api"})"));
    std::string hint;
    CHECK(error_of("update-service", {"--serv", "a"}, "ecs", &hint) ==
          "ambiguous option: --serv could match --service, --service-connect-configuration, --service-registries");
    CHECK(parse("ecs", "list-clusters", {"--no-pag"}).paginated == false);
  }

  TEST_CASE("pagination options") {
    auto r = parse("ecs", "list-tasks", {"--cluster", "c", "--max-items", "5", "--page-size", "2", "--starting-token", "tok"});
    CHECK(r.paginated);
    CHECK(r.page.max_items == 5);
    CHECK(r.page.page_size == 2);
    CHECK(r.page.starting_token == "tok");
    CHECK(r.input == Json::parse(R"({"cluster":"c"})"));
    auto manual = parse("ecs", "list-tasks", {"--next-token", "n1", "--max-results", "10"});
    CHECK_FALSE(manual.paginated);
    CHECK(manual.input == Json::parse(R"({"nextToken":"n1","maxResults":10})"));
    CHECK(error_of("list-tasks", {"--no-paginate", "--max-items", "3"}) ==
          "Cannot specify --no-paginate along with pagination arguments: --max-items");
    // ELBv2's PageSize member is shadowed by --page-size until --no-paginate
    auto elb = parse("elbv2", "describe-target-groups", {"--page-size", "7"});
    CHECK(elb.paginated);
    CHECK(elb.page.page_size == 7);
    CHECK_FALSE(elb.input.contains("PageSize"));
    auto elb_manual = parse("elbv2", "describe-target-groups", {"--no-paginate", "--page-size", "7"});
    CHECK_FALSE(elb_manual.paginated);
    CHECK(elb_manual.input == Json::parse(R"({"PageSize":7})"));
    CHECK_FALSE(parse("ecs", "describe-clusters", {}).paginated);
  }

  TEST_CASE("idempotency tokens are filled in when not given") {
    auto r = parse("ecs", "run-task", {"--task-definition", "a"});
    REQUIRE(r.input.contains("clientToken"));
    CHECK(r.input["clientToken"].get<std::string>().size() == 36);
    CHECK(parse("ecs", "run-task", {"--task-definition", "a", "--client-token", "mine"}).input["clientToken"] == "mine");
  }

  TEST_CASE("events, scheduler and timestamps") {
    Json targets = input_of("put-targets", {"--rule", "r", "--targets",
                                            "Id=1,Arn=arn:cluster,RoleArn=arn:role,EcsParameters={TaskDefinitionArn=arn:td,TaskCount=2}"},
                            "events");
    CHECK(targets["Targets"][0]["EcsParameters"]["TaskCount"] == 2);
    Json sched = input_of("create-schedule", {"--name", "n", "--schedule-expression", "rate(5 minutes)",
                                              "--flexible-time-window", "Mode=OFF", "--target", "Arn=a,RoleArn=r",
                                              "--start-date", "2024-01-02T03:04:05Z"},
                          "scheduler");
    CHECK(sched["FlexibleTimeWindow"] == Json::parse(R"({"Mode":"OFF"})"));
    CHECK(sched["StartDate"] == 1704164645);
  }

  TEST_CASE("help and skeleton requests skip required checks") {
    CHECK(parse("ecs", "run-task", {"--help"}).help);
    CHECK(parse("ecs", "run-task", {"--generate-cli-skeleton"}).skeleton == api::Skeleton::input);
    CHECK(parse("ecs", "run-task", {"--generate-cli-skeleton", "yaml-input"}).skeleton == api::Skeleton::yaml_input);
    CHECK(error_of("run-task", {"--generate-cli-skeleton", "bogus"}).find("Invalid choice") != std::string::npos);
  }
}
