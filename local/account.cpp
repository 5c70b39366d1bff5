// Wiring of the account services (Secrets Manager, SSM, IAM, EC2, ECR) and
// what they share.
#include "local/account.hpp"

#include <chrono>

namespace ecsctl::local {

double AccountContext::now() const {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

std::string AccountContext::chars(const char* alphabet, size_t n) {
  std::string a = alphabet, out;
  while (out.size() < n) out += a[rng() % a.size()];
  return out;
}

std::string AccountContext::hex(size_t n) { return chars("0123456789abcdef", n); }

std::string AccountContext::uuid() { return hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12); }

std::string AccountContext::arn(const std::string& service, const std::string& resource, bool regional) const {
  return "arn:aws:" + service + ":" + (regional ? region : std::string()) + ":" + account + ":" + resource;
}

std::string default_subnet_id(char zone_letter) { return std::string("subnet-0local") + zone_letter; }

AccountServices::AccountServices(Store& store, Router& router, const std::string& region, const std::string& account)
    : m_ctx{store, region, account} {
  register_secrets_manager(m_ctx, router);
  register_ssm(m_ctx, router);
  register_iam(m_ctx, router);
  register_ec2(m_ctx, router);
  register_ecr(m_ctx, router);
}

}  // namespace ecsctl::local
