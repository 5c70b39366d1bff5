// model::kebab_case is botocore's xform_name(name, '-'); expected values below
// were produced by botocore for the same names.
#include <doctest/doctest.h>

#include "schemas/model.hpp"

TEST_CASE("kebab_case matches botocore's xform_name") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"DescribeClusters", "describe-clusters"},
      {"ListTagsForResource", "list-tags-for-resource"},
      {"GetLoadBalancerTLSCertificates", "get-load-balancer-tls-certificates"},
      {"TargetGroupARNs", "target-group-arns"},
      {"ARNs", "-arns"},
      {"enableECSManagedTags", "enable-ecs-managed-tags"},
      {"DescribeDBInstances", "describe-db-instances"},
      {"S3Bucket", "s3-bucket"},
      {"ipv6Address", "ipv6-address"},
      {"CPUUtilization", "cpu-utilization"},
      {"ECSTaskSet", "ecs-task-set"},
      {"HTTPCode", "http-code"},
      {"IPAddressType", "ip-address-type"},
      {"DNSName", "dns-name"},
      {"Ec2InstanceId", "ec2-instance-id"},
      {"TLSCertificates", "tls-certificates"},
      {"TestABCsDef", "test-ab-cs-def"},
      {"a1B2c3", "a1-b2c3"},
      {"X", "x"},
      {"already-kebab", "already-kebab"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(ecsctl::model::kebab_case(c.in) == c.out);
  }
}
