// The account-level AWS services of the local control plane that `ecsctl
// verify` (and the container runtime's secrets) need: Secrets Manager and SSM
// Parameter Store (JSON 1.1), IAM (Query, global), EC2 VPCs, subnets and
// security groups (EC2 protocol) and ECR repositories and images (JSON 1.1).
// Each keeps its resources in the store, in the model's output shapes.
#pragma once
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "core/json.hpp"
#include "local/router.hpp"
#include "local/store.hpp"

namespace ecsctl::local {

// What the account services share: the store, the plane's region and account,
// and a random source for identifiers.
struct AccountContext {
  Store& store;
  std::string region, account;
  std::mt19937_64 rng{std::random_device{}()};
  // With the engine runtime: the engine's images of ECR repository REPO
  // (local/engine_images.hpp, engine_ecr_images), which ECR's DescribeImages
  // and BatchGetImage also answer with. Unset: only pushed manifests.
  std::function<Json(const std::string& repo)> engine_images;

  double now() const;
  std::string hex(size_t n);                               // lower-case hex digits
  std::string chars(const char* alphabet, size_t n);       // from `alphabet`
  std::string uuid();
  std::string arn(const std::string& service, const std::string& resource, bool regional = true) const;
};

// The default VPC of the plane: the one ELBv2 reports for load balancers whose
// subnets name no VPC (elbv2.hpp, k_default_vpc), with one subnet per zone
// (REGIONa, REGIONb, REGIONc) and its "default" security group.
inline constexpr const char* k_default_sg = "sg-0local";
std::string default_subnet_id(char zone_letter);  // 'a' -> "subnet-0locala"

void register_secrets_manager(AccountContext& ctx, Router& router);
void register_ssm(AccountContext& ctx, Router& router);
void register_iam(AccountContext& ctx, Router& router);
void register_ec2(AccountContext& ctx, Router& router);
void register_ecr(AccountContext& ctx, Router& router);

// Builds the shared context and registers all five services on `router`.
class AccountServices {
 public:
  AccountServices(Store& store, Router& router, const std::string& region, const std::string& account);
  AccountContext& context() { return m_ctx; }

 private:
  AccountContext m_ctx;
};

// Secrets Manager's and SSM's view of a secret or parameter reference for the
// container runtime: the value a task's `secrets` entry `valueFrom` names
// (secret ARN or name, optionally ":json-key::" parts; parameter name or ARN),
// or nullopt when it does not exist. Call under the state lock.
std::optional<std::string> resolve_secret_value(AccountContext& ctx, const std::string& value_from);

}  // namespace ecsctl::local
