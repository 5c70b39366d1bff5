#include "cli/global_options.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "output/jmespath.hpp"
#include "output/render.hpp"

namespace ecsctl {

const std::vector<GlobalOptionSpec>& global_option_specs() {
  static const std::vector<GlobalOptionSpec> specs = {
      {"--profile", "NAME", "AWS_PROFILE", "use a named profile from ~/.aws/config and ~/.aws/credentials"},
      {"--region", "REGION", "AWS_REGION,AWS_DEFAULT_REGION", "the AWS region to send requests to"},
      {"--endpoint-url", "URL", "AWS_ENDPOINT_URL", "send requests to this URL instead of the region's endpoint"},
      {"--output", "FORMAT", "AWS_DEFAULT_OUTPUT", "json (default), yaml, yaml-stream, text, table or off"},
      {"--query", "JMESPATH", "", "a JMESPath expression applied to the result before printing"},
      {"--debug", "", "", "log requests, responses and retries to stderr (secrets redacted)"},
      {"--no-verify-ssl", "", "", "do not verify TLS certificates (prints a warning)"},
      {"--no-sign-request", "", "", "send requests unsigned"},
      {"--cli-connect-timeout", "SECONDS", "", "connection timeout, 0 for none (default 60)"},
      {"--cli-read-timeout", "SECONDS", "", "socket read timeout, 0 for none (default 60)"},
      {"--color", "on|off|auto", "NO_COLOR", "colour on a terminal (auto); NO_COLOR turns it off"},
      {"--no-cli-pager", "", "", "accepted for compatibility; ecsctl never pages output"},
      {"--ca-bundle", "FILE", "AWS_CA_BUNDLE", "the CA certificate bundle to verify TLS certificates with"},
      {"--cli-binary-format", "FORMAT", "", "raw-in-base64-out or base64; accepted for compatibility"},
      {"--cli-auto-prompt", "", "", "accepted for compatibility; ecsctl never prompts"},
      {"--no-cli-auto-prompt", "", "", "accepted for compatibility; ecsctl never prompts"},
      {"--quiet", "", "", "no progress or warnings on stderr"},
      {"--version", "", "", "print the version and exit"},
  };
  return specs;
}

// The option `name` names: itself, or the one option it is a unique prefix of
// (argparse's abbreviations, which the AWS CLI allows). nullptr when it is no
// global option; an ambiguous prefix is a usage error naming the candidates.
static const GlobalOptionSpec* find_spec(std::string_view name) {
  for (const auto& s : global_option_specs())
    if (s.name == name) return &s;
  if (name.size() < 3 || name.substr(0, 2) != "--") return nullptr;
  std::vector<const GlobalOptionSpec*> matches;
  for (const auto& s : global_option_specs())
    if (s.name.substr(0, name.size()) == name) matches.push_back(&s);
  if (matches.size() > 1) {
    std::string list;
    for (const auto* m : matches) list += (list.empty() ? "" : ", ") + std::string(m->name);
    throw_usage("ambiguous option: " + std::string(name) + " could match " + list,
                "spell the option out in full");
  }
  return matches.empty() ? nullptr : matches[0];
}

// As the AWS CLI: an endpoint URL needs a scheme and a host.
static void check_endpoint_url(const std::string& url) {
  auto scheme_end = url.find("://");
  bool ok = scheme_end != std::string::npos && scheme_end > 0 && scheme_end + 3 < url.size();
  if (ok) {
    std::string scheme = url.substr(0, scheme_end);
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ok = scheme == "http" || scheme == "https";
  }
  if (!ok)
    throw_usage("Bad value for --endpoint-url \"" + url +
                    "\": scheme is missing.  Must be of the form http://<hostname>/ or https://<hostname>/",
                "e.g. --endpoint-url http://127.0.0.1:4566");
}

// --query is compiled before anything runs, so that a malformed expression
// stops the command before a request is sent (and before the configuration
// is read), as the AWS CLI's argument parser does.
static void check_query(const std::string& query) {
  try {
    jmespath::Expression compiled(query);
  } catch (const jmespath::Error& e) {
    std::string caret = "\n\"" + query + "\"\n" + std::string(e.position() + 1, ' ') + "^";
    throw Error(Exit::usage, "Bad value for --query " + query + ": Invalid jmespath expression: " + e.what() + caret,
                "--query, position " + std::to_string(e.position()));
  }
}

static double parse_seconds(std::string_view option, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || d < 0)
    throw_usage("argument " + std::string(option) + ": invalid value '" + v + "'",
                "give a number of seconds, e.g. " + std::string(option) + " 10");
  return d;
}

static void apply(Context& ctx, CommandLine& cl, const GlobalOptionSpec& spec, const std::string& value) {
  auto& o = ctx.opts;
  std::string_view n = spec.name;
  if (n == "--profile") o.profile = value;
  else if (n == "--region") o.region = value;
  else if (n == "--endpoint-url") {
    check_endpoint_url(value);
    o.endpoint_url = value;
  }
  else if (n == "--output") {
    auto f = parse_output_format(value);
    if (!f)
      throw_usage("argument --output: Invalid choice: '" + value + "'",
                  "choose from json, yaml, yaml-stream, text, table, off");
    o.output = *f;
    o.output_given = true;
  } else if (n == "--query") {
    check_query(value);
    o.query = value;
  }
  else if (n == "--debug") o.debug = true;
  else if (n == "--no-verify-ssl") o.verify_ssl = false;
  else if (n == "--no-sign-request") o.sign_request = false;
  else if (n == "--cli-connect-timeout") o.connect_timeout = parse_seconds(n, value);
  else if (n == "--cli-read-timeout") o.read_timeout = parse_seconds(n, value);
  else if (n == "--color") {
    if (value == "on") o.color = ColorMode::on;
    else if (value == "off") o.color = ColorMode::off;
    else if (value == "auto") o.color = ColorMode::automatic;
    else throw_usage("argument --color: Invalid choice: '" + value + "'", "choose from on, off, auto");
  } else if (n == "--no-cli-pager") o.no_pager = true;
  else if (n == "--ca-bundle") o.ca_bundle = value;
  else if (n == "--cli-binary-format") {
    if (value != "base64" && value != "raw-in-base64-out")
      throw_usage("argument --cli-binary-format: Invalid choice: '" + value + "'",
                  "choose from base64, raw-in-base64-out");
    o.cli_binary_format = value;
  } else if (n == "--cli-auto-prompt" || n == "--no-cli-auto-prompt") {
    // ecsctl never prompts: accepted so that wrappers written for aws keep working.
  }
  else if (n == "--quiet") o.quiet = true;
  else if (n == "--version") cl.version = true;
}

CommandLine parse_global_options(Context& ctx, const std::vector<std::string>& args) {
  CommandLine cl;
  bool after_double_dash = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (after_double_dash || a.size() < 2 || a[0] != '-') {
      cl.words.push_back(a);
      continue;
    }
    if (a == "--") {
      after_double_dash = true;
      cl.words.push_back(a);
      continue;
    }
    if ((a == "-h" || a == "--help") && cl.words.empty()) {
      cl.help = true;
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const GlobalOptionSpec* spec = find_spec(name);
    if (!spec) {
      cl.words.push_back(a);
      continue;
    }
    name = std::string(spec->name);
    if (!spec->metavar.empty() && !inline_value) {
      if (i + 1 >= args.size())
        throw_usage("argument " + name + ": expected one argument",
                    "e.g. " + name + " " + std::string(spec->metavar));
      value = args[++i];
    } else if (spec->metavar.empty() && inline_value) {
      throw_usage("argument " + name + ": takes no value");
    }
    apply(ctx, cl, *spec, value);
  }

  // Environment fallbacks, as the AWS CLI reads them.
  auto& o = ctx.opts;
  if (!o.profile) o.profile = ctx.env.get_nonempty("AWS_PROFILE");
  if (!o.region) o.region = ctx.env.get_nonempty("AWS_REGION");
  if (!o.region) o.region = ctx.env.get_nonempty("AWS_DEFAULT_REGION");
  if (!o.output_given) {
    if (auto v = ctx.env.get_nonempty("AWS_DEFAULT_OUTPUT")) {
      auto f = parse_output_format(*v);
      if (!f)
        throw_config("AWS_DEFAULT_OUTPUT has an invalid value '" + *v + "'",
                     "environment variable AWS_DEFAULT_OUTPUT",
                     "set it to json, yaml, yaml-stream, text, table or off");
      o.output = *f;
      o.output_given = true;
    }
  }
  return cl;
}

}  // namespace ecsctl
