// `ecsctl verify`: pre-flight checks of a task definition (and of a service's
// network and load balancers) against the account. Each finding is reported at
// the file:line:col of the field it concerns, as `validate` reports its own:
// images in ECR, secrets and parameters, the execution and task roles and
// their trust of ecs-tasks.amazonaws.com, awslogs log groups, subnets and
// security groups (in one VPC) and target groups (their target type against
// the network mode).
//
// Where the service's values come from is one function, service_refs(): from
// --service-file (the CreateService members, JSON or YAML) with positions, or
// from flags (findings then name the flag).
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <utility>

#include "commands/command.hpp"
#include "commands/commands.hpp"
#include "commands/project.hpp"
#include "commands/taskdef_input.hpp"
#include "commands/workflow.hpp"
#include "client/session.hpp"
#include "core/error.hpp"
#include "output/render.hpp"
#include "schemas/taskdef.hpp"

namespace ecsctl::commands {
namespace {

using taskdef::Document;
using taskdef::Finding;
using taskdef::Severity;

// A value to check and where it came from: a path in a document, or a flag.
struct Ref {
  std::string value;
  Document* doc = nullptr;
  std::string path;
  std::string flag;
};

// Findings about flag values (no file position).
struct FlagFinding {
  Finding finding;
  std::string flag, value;
};

class Verifier {
 public:
  Verifier(Context& ctx, Document& td) : m_ctx(ctx), m_td(td), m_rt(workflow::runtime(ctx)) {}

  void run(const std::vector<Ref>& subnets, const std::vector<Ref>& groups, const std::vector<Ref>& target_groups) {
    check_images();
    check_secrets();
    check_roles();
    check_log_groups();
    std::string vpc = check_network(subnets, groups);
    check_target_groups(target_groups, vpc);
  }

  std::vector<FlagFinding> flag_findings;
  std::vector<std::string> notes;  // checks skipped, and why
  std::size_t checked = 0;

 private:
  Context& m_ctx;
  Document& m_td;
  workflow::Runtime& m_rt;
  std::optional<std::string> m_region;

  // The region the calls go to ("" when none is configured).
  const std::string& client_region() {
    if (!m_region) {
      try {
        m_region = client::session(m_ctx).region();
      } catch (const Error&) {
        m_region = "";
      }
    }
    return *m_region;
  }
  // Whether a resource of `region` can be checked here; notes it when not.
  bool same_region(const std::string& region, const std::string& what) {
    if (region.empty() || client_region().empty() || region == client_region()) return true;
    notes.push_back(what + " is in " + region + ", not " + client_region() + ": not checked");
    return false;
  }
  // The region field of an ARN ("" when it has none).
  static std::string arn_region(const std::string& arn) {
    auto a = arn.find(':', arn.find(':') + 1);  // after "arn:PARTITION"
    if (a == std::string::npos) return {};
    auto b = arn.find(':', a + 1);  // after the service
    if (b == std::string::npos) return {};
    auto c = arn.find(':', b + 1);
    return c == std::string::npos ? std::string() : arn.substr(b + 1, c - b - 1);
  }

  void report(const Ref& at, const std::string& rule, const std::string& message, const std::string& hint = {},
              Severity severity = Severity::error) {
    Finding f{rule, severity, at.path, message, hint, {}};
    if (at.doc) {
      f.pos = at.doc->locate(at.path);
      at.doc->findings.push_back(std::move(f));
    } else {
      flag_findings.push_back({std::move(f), at.flag, at.value});
    }
  }
  Ref td_ref(const std::string& path, std::string value = {}) { return Ref{std::move(value), &m_td, path, {}}; }

  // The call, or nullopt when the service answered with one of `absent`
  // (the resource does not exist); other service errors become a warning at
  // `at` and nullopt too. Credential and connection errors propagate.
  std::optional<Json> call(const char* service, const char* op, const Json& in, const std::set<std::string>& absent,
                           const Ref& at, bool* missing) {
    *missing = false;
    try {
      ++checked;
      return m_rt.call(service, op, in);
    } catch (const ServiceError& e) {
      if (absent.count(e.error_code())) {
        *missing = true;
        return std::nullopt;
      }
      report(at, "verify-unchecked", "could not check: " + std::string(e.what()), {}, Severity::warning);
      return std::nullopt;
    }
  }

  const Json& containers() {
    static const Json k_none = Json::array();
    auto it = m_td.def.find("containerDefinitions");
    return it != m_td.def.end() && it->is_array() ? *it : k_none;
  }

  // ---- images ----------------------------------------------------------------

  void check_images() {
    const Json& cs = containers();
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].is_object() || !cs[i].contains("image") || !cs[i]["image"].is_string()) continue;
      std::string image = cs[i]["image"];
      std::string path = taskdef::path_join(taskdef::path_index("containerDefinitions", i), "image");
      check_image(image, td_ref(path, image));
    }
  }

  // ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPO[:TAG|@DIGEST]
  void check_image(const std::string& image, const Ref& at) {
    auto slash = image.find('/');
    if (slash == std::string::npos) return;
    std::string host = image.substr(0, slash), rest = image.substr(slash + 1);
    auto dkr = host.find(".dkr.ecr.");
    if (dkr == std::string::npos || host.find(".amazonaws.com") == std::string::npos) return;
    std::string account = host.substr(0, dkr);
    std::string image_region = host.substr(dkr + 9, host.find(".amazonaws.com") - dkr - 9);
    if (!same_region(image_region, "image " + image)) return;
    std::string repo = rest, tag, digest;
    if (auto at_sign = rest.find('@'); at_sign != std::string::npos) {
      repo = rest.substr(0, at_sign);
      digest = rest.substr(at_sign + 1);
    } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
      repo = rest.substr(0, colon);
      tag = rest.substr(colon + 1);
    } else {
      tag = "latest";
    }
    Json id = digest.empty() ? Json{{"imageTag", tag}} : Json{{"imageDigest", digest}};
    bool missing = false;
    auto out = call("ecr", "DescribeImages", {{"repositoryName", repo}, {"registryId", account}, {"imageIds", {id}}},
                    {"RepositoryNotFoundException", "ImageNotFoundException"}, at, &missing);
    if (missing) {
      // Which one: ask for the repository.
      bool no_repo = false;
      call("ecr", "DescribeRepositories", {{"repositoryNames", {repo}}, {"registryId", account}},
           {"RepositoryNotFoundException"}, at, &no_repo);
      if (no_repo)
        report(at, "verify-image", "ECR repository '" + repo + "' does not exist in registry " + account,
               "create it (aws ecr create-repository --repository-name " + repo + ") and push the image");
      else
        report(at, "verify-image",
               "image " + (digest.empty() ? "tag '" + tag + "'" : "digest '" + digest + "'") +
                   " is not in ECR repository '" + repo + "'",
               "push it, or fix the tag");
      return;
    }
    if (!out) return;
    const Json details = out->value("imageDetails", Json::array());
    if (details.empty()) return;
    check_platform(details[0], repo, account, id, at);
  }

  // A multi-platform image (an index or manifest list) must have a variant for
  // the task's runtimePlatform (default linux/amd64). A single-platform
  // manifest does not say its platform without its config blob: not checked.
  void check_platform(const Json& detail, const std::string& repo, const std::string& account, const Json& id,
                      const Ref& at) {
    std::string media = detail.value("imageManifestMediaType", "");
    if (media.find("manifest.list") == std::string::npos && media.find("image.index") == std::string::npos) return;
    bool missing = false;
    auto got = call("ecr", "BatchGetImage", {{"repositoryName", repo}, {"registryId", account}, {"imageIds", {id}}}, {},
                    at, &missing);
    if (!got || got->value("images", Json::array()).empty()) return;
    Json manifest = Json::parse((*got)["images"][0].value("imageManifest", ""), nullptr, false);
    if (!manifest.is_object()) return;
    Json rp = m_td.def.value("runtimePlatform", Json::object());
    std::string arch = rp.value("cpuArchitecture", "X86_64") == "ARM64" ? "arm64" : "amd64";
    std::string os = rp.value("operatingSystemFamily", "LINUX").rfind("WINDOWS", 0) == 0 ? "windows" : "linux";
    std::vector<std::string> have;
    for (const auto& m : manifest.value("manifests", Json::array())) {
      Json p = m.value("platform", Json::object());
      std::string o = p.value("os", ""), a = p.value("architecture", "");
      if (o == "unknown" || a == "unknown") continue;  // attestation manifests
      if (o == os && a == arch) return;
      have.push_back(o + "/" + a);
    }
    std::string list;
    for (const auto& h : have) list += (list.empty() ? "" : ", ") + h;
    report(at, "verify-image-platform",
           "image has no " + os + "/" + arch + " variant (it has " + (list.empty() ? "none" : list) + ")",
           "build it for " + os + "/" + arch + ", or set runtimePlatform to one it has");
  }

  // ---- secrets and parameters -------------------------------------------------

  void check_secrets() {
    std::vector<Ref> ssm;
    const Json& cs = containers();
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].is_object()) continue;
      std::string base = taskdef::path_index("containerDefinitions", i);
      auto scan = [&](const Json& list, const std::string& list_path) {
        if (!list.is_array()) return;
        for (std::size_t j = 0; j < list.size(); ++j) {
          if (!list[j].is_object() || !list[j].contains("valueFrom") || !list[j]["valueFrom"].is_string()) continue;
          std::string v = list[j]["valueFrom"];
          Ref at = td_ref(taskdef::path_join(taskdef::path_index(list_path, j), "valueFrom"), v);
          if (v.rfind("arn:aws", 0) == 0 && v.find(":secretsmanager:") != std::string::npos) check_secret(v, at);
          else if (v.rfind("arn:", 0) != 0 || same_region(arn_region(v), "parameter " + v)) ssm.push_back(at);
        }
      };
      if (cs[i].contains("secrets")) scan(cs[i]["secrets"], taskdef::path_join(base, "secrets"));
      if (cs[i].contains("logConfiguration") && cs[i]["logConfiguration"].is_object())
        if (cs[i]["logConfiguration"].contains("secretOptions"))
          scan(cs[i]["logConfiguration"]["secretOptions"],
               taskdef::path_join(taskdef::path_join(base, "logConfiguration"), "secretOptions"));
      if (cs[i].contains("repositoryCredentials") && cs[i]["repositoryCredentials"].is_object()) {
        std::string v = cs[i]["repositoryCredentials"].value("credentialsParameter", "");
        if (!v.empty())
          check_secret(v, td_ref(taskdef::path_join(taskdef::path_join(base, "repositoryCredentials"), "credentialsParameter"), v));
      }
    }
    check_parameters(ssm);
  }

  void check_secret(const std::string& value_from, const Ref& at) {
    // The secret's ARN is the first seven fields; a JSON key, stage and version may follow.
    std::size_t pos = 0;
    for (int i = 0; i < 7 && pos != std::string::npos; ++i) pos = value_from.find(':', pos + 1);
    std::string arn = value_from.substr(0, pos);
    if (!same_region(arn_region(arn), "secret " + arn)) return;
    bool missing = false;
    auto out = call("secretsmanager", "DescribeSecret", {{"SecretId", arn}}, {"ResourceNotFoundException"}, at, &missing);
    if (missing) {
      report(at, "verify-secret", "secret " + arn + " does not exist",
             "create it (aws secretsmanager create-secret --name NAME --secret-string ...), or fix the ARN");
    } else if (out && out->contains("DeletedDate")) {
      report(at, "verify-secret", "secret " + arn + " is scheduled for deletion",
             "restore it (aws secretsmanager restore-secret) or point at another one");
    }
  }

  void check_parameters(const std::vector<Ref>& refs) {
    for (std::size_t start = 0; start < refs.size(); start += 10) {
      Json names = Json::array();
      for (std::size_t i = start; i < refs.size() && i < start + 10; ++i) names.push_back(refs[i].value);
      bool missing = false;
      auto out = call("ssm", "GetParameters", {{"Names", names}}, {}, refs[start], &missing);
      if (!out) continue;
      std::set<std::string> invalid;
      for (const auto& n : out->value("InvalidParameters", Json::array())) invalid.insert(n.get<std::string>());
      for (std::size_t i = start; i < refs.size() && i < start + 10; ++i)
        if (invalid.count(refs[i].value))
          report(refs[i], "verify-parameter", "SSM parameter " + refs[i].value + " does not exist",
                 "create it (aws ssm put-parameter --name NAME --type SecureString --value ...), or fix the name");
    }
  }

  // ---- roles ------------------------------------------------------------------

  void check_roles() {
    for (const char* member : {"executionRoleArn", "taskRoleArn"}) {
      if (!m_td.def.contains(member) || !m_td.def[member].is_string()) continue;
      std::string arn = m_td.def[member];
      if (arn.empty()) continue;
      check_role(arn, td_ref(member, arn), member);
    }
  }

  static std::string url_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  }

  static bool has(const Json& v, const std::string& want) {
    if (v.is_string()) return v.get<std::string>() == want;
    if (v.is_array())
      for (const auto& x : v)
        if (x.is_string() && x.get<std::string>() == want) return true;
    return false;
  }

  // Whether the trust policy lets ecs-tasks.amazonaws.com assume the role.
  static bool trusts_ecs_tasks(const Json& policy) {
    Json statements = policy.value("Statement", Json::array());
    if (statements.is_object()) statements = Json::array({statements});
    for (const auto& s : statements) {
      if (!s.is_object() || s.value("Effect", "") != "Allow") continue;
      Json action = s.value("Action", Json());
      if (!has(action, "sts:AssumeRole") && !has(action, "sts:*") && !has(action, "*")) continue;
      Json principal = s.value("Principal", Json());
      if (principal.is_object() && has(principal.value("Service", Json()), "ecs-tasks.amazonaws.com")) return true;
    }
    return false;
  }

  void check_role(const std::string& arn, const Ref& at, const std::string& member) {
    std::string name = arn.substr(arn.rfind('/') == std::string::npos ? 0 : arn.rfind('/') + 1);
    bool missing = false;
    auto out = call("iam", "GetRole", {{"RoleName", name}}, {"NoSuchEntity"}, at, &missing);
    if (missing) {
      report(at, "verify-role", "IAM role '" + name + "' does not exist",
             "create it with a trust policy for ecs-tasks.amazonaws.com, or fix " + member);
      return;
    }
    if (!out) return;
    Json doc = out->value("Role", Json::object()).value("AssumeRolePolicyDocument", Json());
    if (doc.is_string()) doc = Json::parse(url_decode(doc.get<std::string>()), nullptr, false);
    if (!doc.is_object() || !trusts_ecs_tasks(doc))
      report(at, "verify-role-trust", "IAM role '" + name + "' does not trust ecs-tasks.amazonaws.com, so ECS cannot use it as " + member,
             "add a statement {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}, "
             "\"Action\": \"sts:AssumeRole\"} to its trust policy (aws iam update-assume-role-policy)");
  }

  // ---- log groups -------------------------------------------------------------

  void check_log_groups() {
    const Json& cs = containers();
    bool logs_unknown = false;
    for (std::size_t i = 0; i < cs.size() && !logs_unknown; ++i) {
      if (!cs[i].is_object() || !cs[i].contains("logConfiguration") || !cs[i]["logConfiguration"].is_object()) continue;
      const Json& lc = cs[i]["logConfiguration"];
      if (lc.value("logDriver", "") != "awslogs") continue;
      Json options = lc.value("options", Json::object());
      if (!options.is_object() || !options.contains("awslogs-group") || !options["awslogs-group"].is_string()) continue;
      if (options.value("awslogs-create-group", "") == "true") continue;
      std::string group = options["awslogs-group"];
      std::string path = taskdef::path_join(taskdef::path_join(taskdef::path_join(taskdef::path_index("containerDefinitions", i), "logConfiguration"), "options"),
                                "awslogs-group");
      Ref at = td_ref(path, group);
      try {
        ++checked;
        Json out = m_rt.call("logs", "DescribeLogGroups", {{"logGroupNamePrefix", group}});
        bool found = false;
        for (const auto& g : out.value("logGroups", Json::array())) found |= g.value("logGroupName", "") == group;
        if (!found)
          report(at, "verify-log-group", "log group '" + group + "' does not exist",
                 "create it (aws logs create-log-group --log-group-name " + group +
                     "), or set the option awslogs-create-group to \"true\" (the execution role then needs logs:CreateLogGroup)");
      } catch (const ServiceError& e) {
        if (e.error_code() == "UnknownOperationException" || e.error_code() == "InvalidAction") {
          notes.push_back("log groups not checked: the endpoint does not implement CloudWatch Logs DescribeLogGroups");
          logs_unknown = true;
        } else {
          report(at, "verify-unchecked", "could not check: " + std::string(e.what()), {}, Severity::warning);
        }
      }
    }
  }

  // ---- network ----------------------------------------------------------------

  // Returns the VPC of the subnets (the first one's), or "".
  std::string check_network(const std::vector<Ref>& subnets, const std::vector<Ref>& groups) {
    std::map<std::string, std::string> vpc_of;  // id -> vpc
    auto lookup = [&](const std::vector<Ref>& refs, const char* op, const char* filter, const char* list,
                      const char* id_member) {
      if (refs.empty()) return;
      Json ids = Json::array();
      for (const auto& r : refs) ids.push_back(r.value);
      bool missing = false;
      auto out = call("ec2", op, {{"Filters", {{{"Name", filter}, {"Values", ids}}}}}, {}, refs.front(), &missing);
      if (!out) return;
      for (const auto& x : out->value(list, Json::array())) vpc_of[x.value(id_member, "")] = x.value("VpcId", "");
    };
    lookup(subnets, "DescribeSubnets", "subnet-id", "Subnets", "SubnetId");
    lookup(groups, "DescribeSecurityGroups", "group-id", "SecurityGroups", "GroupId");
    std::string vpc;
    const Ref* first = nullptr;
    for (const auto* list : {&subnets, &groups}) {
      bool is_subnet = list == &subnets;
      for (const auto& r : *list) {
        auto it = vpc_of.find(r.value);
        if (it == vpc_of.end()) {
          report(r, is_subnet ? "verify-subnet" : "verify-security-group",
                 std::string(is_subnet ? "subnet " : "security group ") + r.value + " does not exist",
                 "check the id and the region");
          continue;
        }
        if (vpc.empty()) {
          vpc = it->second;
          first = &r;
          continue;
        }
        if (it->second != vpc)
          report(r, "verify-vpc",
                 std::string(is_subnet ? "subnet " : "security group ") + r.value + " is in " + it->second + ", but " +
                     first->value + " is in " + vpc,
                 "a task's subnets and security groups must all be in one VPC");
      }
    }
    return vpc;
  }

  std::string network_mode() const {
    if (m_td.def.contains("networkMode") && m_td.def["networkMode"].is_string()) return m_td.def["networkMode"];
    const Json rc = m_td.def.value("requiresCompatibilities", Json::array());
    if (has(rc, "FARGATE")) return "awsvpc";
    return "bridge";
  }

  void check_target_groups(const std::vector<Ref>& tgs, const std::string& vpc) {
    std::string mode = network_mode();
    for (const auto& r : tgs) {
      bool missing = false;
      Json in = r.value.rfind("arn:", 0) == 0 ? Json{{"TargetGroupArns", {r.value}}} : Json{{"Names", {r.value}}};
      auto out = call("elbv2", "DescribeTargetGroups", in, {"TargetGroupNotFound", "ValidationError"}, r, &missing);
      if (missing) {
        report(r, "verify-target-group", "target group " + r.value + " does not exist", "check the ARN and the region");
        continue;
      }
      if (!out || out->value("TargetGroups", Json::array()).empty()) continue;
      const Json tg = (*out)["TargetGroups"][0];
      std::string type = tg.value("TargetType", "instance");
      std::string want = mode == "awsvpc" ? "ip" : "instance";
      if (type != want && type != "alb")
        report(r, "verify-target-type",
               "target group " + tg.value("TargetGroupName", r.value) + " has target type '" + type + "', but the task's network mode " +
                   mode + " needs '" + want + "'",
               "create a target group with --target-type " + want + " for this service");
      std::string tg_vpc = tg.value("VpcId", "");
      if (!vpc.empty() && !tg_vpc.empty() && tg_vpc != vpc && mode == "awsvpc")
        report(r, "verify-vpc", "target group " + tg.value("TargetGroupName", r.value) + " is in " + tg_vpc +
                                    ", but the service's subnets are in " + vpc,
               "the target group must be in the tasks' VPC");
    }
  }
};

// The service's subnets, security groups and target groups: from the service
// file (CreateService members) when given, with positions, else from flags.
struct ServiceRefs {
  std::vector<Ref> subnets, groups, target_groups;
};

ServiceRefs service_refs(Args& args, Document* service) {
  ServiceRefs out;
  if (service) {
    const Json& def = service->def;
    std::string base = taskdef::path_join(taskdef::path_join("", "networkConfiguration"), "awsvpcConfiguration");
    Json vpc = def.value("networkConfiguration", Json::object()).value("awsvpcConfiguration", Json::object());
    for (auto [member, list] : {std::pair{"subnets", &out.subnets}, std::pair{"securityGroups", &out.groups}}) {
      Json ids = vpc.value(member, Json::array());
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i].is_string())
          list->push_back({ids[i].get<std::string>(), service, taskdef::path_index(taskdef::path_join(base, member), i), {}});
    }
    Json lbs = def.value("loadBalancers", Json::array());
    for (std::size_t i = 0; i < lbs.size(); ++i)
      if (lbs[i].is_object() && lbs[i].contains("targetGroupArn") && lbs[i]["targetGroupArn"].is_string())
        out.target_groups.push_back({lbs[i]["targetGroupArn"].get<std::string>(), service,
                                     taskdef::path_join(taskdef::path_index("loadBalancers", i), "targetGroupArn"), {}});
  }
  auto from_flag = [&](const char* flag, std::vector<Ref>& list) {
    for (const auto& id : workflow::split_ids(args.values(flag))) list.push_back({id.get<std::string>(), nullptr, {}, flag});
  };
  from_flag("--subnets", out.subnets);
  from_flag("--security-groups", out.groups);
  from_flag("--target-group-arn", out.target_groups);
  return out;
}

int run_verify(Context& ctx, Args& args) {
  const std::string format = args.value("--format").value_or("text");
  bool json = format == "json" || (format == "text" && ctx.opts.output_given && ctx.opts.output == OutputFormat::json);
  // The files: --task-definition alone, or the project's (ecsctl.yaml, --config,
  // --service-definition), whose ${ssm:...} and ${tfstate:...} lookups apply.
  taskdef::TemplateVars vars;
  std::optional<std::string> td_file, service_file;
  if (project::wanted(args, !args.has("--task-definition"))) {
    project::Project p = project::load(ctx, args, project::Need::any);
    vars = project::template_vars(ctx, args, p);
    if (!p.task_definition.empty()) td_file = p.task_definition;
    if (!p.service_definition.empty()) service_file = p.service_definition;
  } else {
    vars = taskdef_input::template_vars(ctx, args);
    td_file = args.value("--task-definition");
  }
  if (!td_file)
    throw_usage("the following arguments are required: --task-definition",
                "or run it beside an ecsctl.yaml that names the task_definition");
  Document td = taskdef::load_file(*td_file, &vars);
  std::optional<Document> service;
  if (service_file) service = taskdef::load_file(*service_file, &vars);

  bool load_failed = !td.parsed || !td.findings.empty() || (service && (!service->parsed || !service->findings.empty()));
  Verifier v(ctx, td);
  if (!load_failed) {
    ServiceRefs refs = service_refs(args, service ? &*service : nullptr);
    v.run(refs.subnets, refs.groups, refs.target_groups);
  }

  std::vector<Document*> docs{&td};
  if (service) docs.push_back(&*service);
  // In the order of the file, as `validate` reads.
  for (auto* d : docs)
    std::stable_sort(d->findings.begin(), d->findings.end(), [](const Finding& a, const Finding& b) {
      return std::pair(a.pos.line, a.pos.col) < std::pair(b.pos.line, b.pos.col);
    });
  std::size_t errors = 0, warnings = 0;
  for (auto* d : docs)
    for (const auto& f : d->findings) (f.severity == Severity::error ? errors : warnings)++;
  for (const auto& f : v.flag_findings) (f.finding.severity == Severity::error ? errors : warnings)++;

  if (json) {
    Json all = Json::array();
    for (auto* d : docs)
      for (auto& f : taskdef::findings_json(*d)) all.push_back(std::move(f));
    for (const auto& f : v.flag_findings)
      all.push_back({{"flag", f.flag}, {"value", f.value},
                     {"severity", f.finding.severity == Severity::error ? "error" : "warning"},
                     {"rule", f.finding.rule}, {"message", f.finding.message}, {"hint", f.finding.hint}});
    Json result = {{"valid", errors == 0}, {"checks", v.checked}, {"errors", errors}, {"warnings", warnings},
                   {"findings", std::move(all)}, {"notes", v.notes}};
    print_result(ctx, result, "Verify");
  } else {
    for (auto* d : docs) {
      if (d->findings.empty()) continue;
      if (format == "github") taskdef::print_github(ctx.out, *d);
      else taskdef::print_findings(ctx.err, *d, ctx.color_stderr());
    }
    for (const auto& f : v.flag_findings) {
      const char* sev = f.finding.severity == Severity::error ? "error" : "warning";
      if (format == "github") {
        ctx.out << "::" << sev << " title=" << f.finding.rule << "::" << f.flag << " " << f.value << ": " << f.finding.message << "\n";
      } else {
        ctx.err << f.flag << " " << f.value << ": " << sev << "[" << f.finding.rule << "]: " << f.finding.message << "\n";
        if (!f.finding.hint.empty()) ctx.err << "  hint: " << f.finding.hint << "\n";
      }
    }
    if (!ctx.opts.quiet) {
      for (const auto& n : v.notes) ctx.err << "note: " << n << "\n";
      ctx.err << v.checked << (v.checked == 1 ? " check" : " checks") << " against the account: " << errors
              << (errors == 1 ? " error, " : " errors, ") << warnings << (warnings == 1 ? " warning" : " warnings") << "\n";
    }
  }
  return errors ? static_cast<int>(Exit::validation_failed) : 0;
}

}  // namespace
}  // namespace ecsctl::commands

namespace ecsctl::commands {

const CommandSpec verify{
    .group = "",
    .name = "verify",
    .summary = "check a task definition and its service's resources against the account (pre-flight)",
    .description =
        "Checks what a deployment of the task definition needs, against the account and region\n"
        "ecsctl talks to (offline checks are `validate`'s):\n"
        "  - every ECR image exists (DescribeImages), and a multi-platform image has a variant for\n"
        "    runtimePlatform (default linux/amd64);\n"
        "  - every secret (Secrets Manager DescribeSecret) and parameter (SSM GetParameters) in\n"
        "    secrets, logConfiguration.secretOptions and repositoryCredentials exists;\n"
        "  - executionRoleArn and taskRoleArn exist and trust ecs-tasks.amazonaws.com (IAM GetRole);\n"
        "  - awslogs log groups exist, unless awslogs-create-group is \"true\" (skipped with a note\n"
        "    where the endpoint has no CloudWatch Logs);\n"
        "  - the service's subnets and security groups exist and are in one VPC (EC2);\n"
        "  - its target groups exist, in that VPC, with a target type that fits the network mode\n"
        "    (ip for awsvpc, instance for bridge and host).\n"
        "The files are --task-definition and --service-definition (the CreateService members, JSON\n"
        "or YAML), or those of the project file (ecsctl.yaml in the current directory, or --config),\n"
        "whose ${ssm:...} and ${tfstate:...} lookups apply. The service's values may also come from\n"
        "--subnets, --security-groups and --target-group-arn. Each finding names the\n"
        "file, line and column of the field it concerns (flag values name the flag). A service\n"
        "error other than \"not found\" (access denied, say) is a warning: that check did not run.\n\n"
        "Exit codes: 0 all checks passed, 3 a check failed (or a file does not load), 252 the\n"
        "command line is wrong, 253 credentials, 255 the endpoint cannot be reached.\n",
    .flags = flags_with(
        {
            {.name = "--task-definition", .metavar = "FILE",
             .help = "the task-definition file (JSON or YAML; default: the project file's)",
             .complete = Completer::file},
            {.name = "--subnets", .metavar = "ID", .help = "the service's subnets (space or comma separated)",
             .repeats = true},
            {.name = "--security-groups", .metavar = "ID", .help = "the service's security groups", .repeats = true},
            {.name = "--target-group-arn", .metavar = "ARN", .help = "a target group of the service (repeatable)",
             .complete = Completer::target_group, .repeats = true},
            {.name = "--format", .metavar = "FORMAT",
             .help = "text (stderr), github (annotations on stdout) or json (stdout)",
             .complete = Completer::choices, .choices = {"text", "github", "json"}},
        },
        flags_with(project::flags(), taskdef_input::template_flags())),
    .run = run_verify,
};

}  // namespace ecsctl::commands
