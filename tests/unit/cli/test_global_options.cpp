// Global options: before or after the command, --opt=value, environment
// fallbacks with the AWS CLI's precedence, and the usage errors they raise.
#include <doctest/doctest.h>

#include <sstream>

#include "core/context.hpp"
#include "core/error.hpp"
#include "cli/global_options.hpp"

using ecsctl::CommandLine;
using ecsctl::Exit;

namespace {

struct Parsed {
  std::ostringstream out, err;
  ecsctl::Context ctx;
  CommandLine cl;
  Parsed(std::vector<std::string> args, std::map<std::string, std::string> env = {})
      : ctx(out, err, ecsctl::Environment::isolated(std::move(env))) {
    cl = ecsctl::parse_global_options(ctx, args);
  }
};

Exit parse_error(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  try {
    Parsed p(std::move(args), std::move(env));
  } catch (const ecsctl::Error& e) {
    return e.code();
  }
  return Exit::ok;
}

}  // namespace

TEST_SUITE("global options") {
  TEST_CASE("accepted before and after the command, globals removed from the words") {
    Parsed before({"--region", "eu-west-1", "--output", "text", "list-clusters", "--max-items", "3"});
    CHECK(before.ctx.opts.region == "eu-west-1");
    CHECK(before.ctx.opts.output == ecsctl::OutputFormat::text);
    CHECK(before.cl.words == std::vector<std::string>{"list-clusters", "--max-items", "3"});

    Parsed after({"list-clusters", "--max-items", "3", "--region", "eu-west-1", "--output", "text"});
    CHECK(after.ctx.opts.region == before.ctx.opts.region);
    CHECK(after.ctx.opts.output == before.ctx.opts.output);
    CHECK(after.cl.words == before.cl.words);
  }

  TEST_CASE("--opt=value and flags") {
    Parsed p({"--profile=dev", "describe-clusters", "--query=clusters[0]", "--debug", "--no-verify-ssl",
              "--cli-connect-timeout=2.5", "--cli-read-timeout", "0", "--color=on", "--quiet",
              "--no-cli-pager", "--no-sign-request", "--endpoint-url=http://127.0.0.1:1"});
    const auto& o = p.ctx.opts;
    CHECK(o.profile == "dev");
    CHECK(o.query == "clusters[0]");
    CHECK(o.debug);
    CHECK_FALSE(o.verify_ssl);
    CHECK_FALSE(o.sign_request);
    CHECK(o.connect_timeout == doctest::Approx(2.5));
    CHECK(o.read_timeout == doctest::Approx(0.0));
    CHECK(o.color == ecsctl::ColorMode::on);
    CHECK(o.quiet);
    CHECK(o.no_pager);
    CHECK(o.endpoint_url == "http://127.0.0.1:1");
    CHECK(p.cl.words == std::vector<std::string>{"describe-clusters"});
  }

  TEST_CASE("everything after -- is left to the command") {
    Parsed p({"run", "--", "--region", "x"});
    CHECK_FALSE(p.ctx.opts.region.has_value());
    CHECK(p.cl.words == std::vector<std::string>{"run", "--", "--region", "x"});
  }

  TEST_CASE("--help before the command is the main help, after it belongs to the command") {
    CHECK(Parsed({"--help"}).cl.help);
    Parsed cmd({"validate", "--help"});
    CHECK_FALSE(cmd.cl.help);
    CHECK(cmd.cl.words == std::vector<std::string>{"validate", "--help"});
    CHECK(Parsed({"--version"}).cl.version);
  }

  TEST_CASE("environment fallbacks") {
    Parsed p({"x"}, {{"AWS_PROFILE", "envprof"}, {"AWS_DEFAULT_REGION", "us-west-2"},
                     {"AWS_DEFAULT_OUTPUT", "yaml"}});
    CHECK(p.ctx.opts.profile == "envprof");
    CHECK(p.ctx.opts.region == "us-west-2");
    CHECK(p.ctx.opts.output == ecsctl::OutputFormat::yaml);

    SUBCASE("AWS_REGION wins over AWS_DEFAULT_REGION") {
      Parsed q({"x"}, {{"AWS_REGION", "eu-central-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}});
      CHECK(q.ctx.opts.region == "eu-central-1");
    }
    SUBCASE("the command line wins over the environment") {
      Parsed q({"x", "--region", "ap-south-1", "--profile", "cli", "--output", "json"},
               {{"AWS_REGION", "eu-central-1"}, {"AWS_PROFILE", "envprof"}, {"AWS_DEFAULT_OUTPUT", "table"}});
      CHECK(q.ctx.opts.region == "ap-south-1");
      CHECK(q.ctx.opts.profile == "cli");
      CHECK(q.ctx.opts.output == ecsctl::OutputFormat::json);
    }
    SUBCASE("empty variables count as unset") {
      Parsed q({"x"}, {{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "us-east-2"}, {"AWS_DEFAULT_OUTPUT", ""}});
      CHECK(q.ctx.opts.region == "us-east-2");
      CHECK(q.ctx.opts.output == ecsctl::OutputFormat::json);
      CHECK_FALSE(q.ctx.opts.output_given);
    }
    SUBCASE("nothing set") {
      Parsed q({"x"});
      CHECK_FALSE(q.ctx.opts.region.has_value());
      CHECK_FALSE(q.ctx.opts.profile.has_value());
      CHECK(q.ctx.opts.output == ecsctl::OutputFormat::json);
    }
  }

  TEST_CASE("every output format name parses") {
    for (const auto& entry : std::vector<std::pair<std::string, ecsctl::OutputFormat>>{
             {"json", ecsctl::OutputFormat::json}, {"yaml", ecsctl::OutputFormat::yaml},
             {"yaml-stream", ecsctl::OutputFormat::yaml_stream}, {"text", ecsctl::OutputFormat::text},
             {"table", ecsctl::OutputFormat::table}, {"off", ecsctl::OutputFormat::off}}) {
      const std::string& name = entry.first;
      CAPTURE(name);
      CHECK(Parsed({"x", "--output", name}).ctx.opts.output == entry.second);
    }
  }

  TEST_CASE("usage errors (252) and configuration errors (253)") {
    CHECK(parse_error({"x", "--output", "xml"}) == Exit::usage);
    CHECK(parse_error({"x", "--output=JSON"}) == Exit::usage);
    CHECK(parse_error({"x", "--color", "sometimes"}) == Exit::usage);
    CHECK(parse_error({"x", "--region"}) == Exit::usage);
    CHECK(parse_error({"x", "--cli-read-timeout", "soon"}) == Exit::usage);
    CHECK(parse_error({"x", "--cli-connect-timeout=-1"}) == Exit::usage);
    CHECK(parse_error({"x", "--debug=yes"}) == Exit::usage);
    CHECK(parse_error({"x"}, {{"AWS_DEFAULT_OUTPUT", "xml"}}) == Exit::config);
    // A valid --output means AWS_DEFAULT_OUTPUT is not even read.
    CHECK(parse_error({"x", "--output", "json"}, {{"AWS_DEFAULT_OUTPUT", "xml"}}) == Exit::ok);
  }

  TEST_CASE("the AWS CLI's other global options are accepted") {
    Parsed p({"x", "--cli-binary-format", "raw-in-base64-out", "--cli-auto-prompt", "--no-cli-auto-prompt",
              "--ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "--region", "us-east-1"});
    CHECK(p.cl.words == std::vector<std::string>{"x"});
    CHECK(p.ctx.opts.ca_bundle == "/etc/ssl/certs/ca-certificates.crt");
    CHECK(p.ctx.opts.cli_binary_format == "raw-in-base64-out");
    CHECK(Parsed({"x", "--cli-binary-format=base64"}).ctx.opts.cli_binary_format == "base64");
    CHECK(parse_error({"x", "--cli-binary-format", "hex"}) == Exit::usage);
    CHECK(parse_error({"x", "--ca-bundle"}) == Exit::usage);
  }

  TEST_CASE("a unique prefix of a global option is that option; an ambiguous one is an error naming them") {
    Parsed p({"--reg", "eu-west-1", "x", "--out=text", "--prof", "dev", "--que", "a.b", "--deb"});
    CHECK(p.ctx.opts.region == "eu-west-1");
    CHECK(p.ctx.opts.output == ecsctl::OutputFormat::text);
    CHECK(p.ctx.opts.profile == "dev");
    CHECK(p.ctx.opts.query == "a.b");
    CHECK(p.ctx.opts.debug);
    CHECK(p.cl.words == std::vector<std::string>{"x"});
    CHECK(parse_error({"x", "--qu", "a"}) == Exit::usage);  // --query or --quiet
    // Not a prefix of any global option: left to the command.
    CHECK(Parsed({"x", "--clust", "web"}).cl.words == std::vector<std::string>{"x", "--clust", "web"});
    try {
      Parsed q({"x", "--c", "web"});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == Exit::usage);
      std::string what = e.what();
      CHECK(what.find("ambiguous option: --c could match") != std::string::npos);
      CHECK(what.find("--color") != std::string::npos);
      CHECK(what.find("--cli-read-timeout") != std::string::npos);
    }
  }

  TEST_CASE("--query is compiled and --endpoint-url checked while the command line is read") {
    try {
      Parsed q({"run-task", "--query", "tasks[0"});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == Exit::usage);
      CHECK(std::string(e.what()).find("Bad value for --query tasks[0: ") == 0);
    }
    // The command line is checked before the configuration (AWS_DEFAULT_OUTPUT = xml is 253).
    CHECK(parse_error({"x", "--query", "a["}, {{"AWS_DEFAULT_OUTPUT", "xml"}}) == Exit::usage);
    try {
      Parsed q({"x", "--endpoint-url", "foo"});
      FAIL("no error");
    } catch (const ecsctl::Error& e) {
      CHECK(e.code() == Exit::usage);
      CHECK(std::string(e.what()).find("Bad value for --endpoint-url \"foo\": scheme is missing.") == 0);
    }
    CHECK(parse_error({"x", "--endpoint-url", "ftp://host"}) == Exit::usage);
    CHECK(parse_error({"x", "--endpoint-url", "http://"}) == Exit::usage);
    CHECK(parse_error({"x", "--endpoint-url", "HTTPS://ecs.example.com"}) == Exit::ok);
  }
}
