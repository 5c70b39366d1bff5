#include "schemas/taskdef_rules.hpp"

#include <algorithm>

namespace ecsctl::taskdef {

namespace {
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;
constexpr bool V = true;   // verified in the model or the AWS docs
constexpr bool U = false;  // unverified (task-definition-rules.md)
}  // namespace

const std::vector<Rule>& rules() {
  static const std::vector<Rule> table = {
      // 0.4 generic input rules
      {"input-parse", E, V, "the file must hold one JSON or YAML object"},
      {"input-required", E, V, "add the required member"},
      {"input-type", E, V, "use the type the ECS API expects (task cpu/memory are strings: \"256\")"},
      {"input-enum", E, V, "use one of the listed values (enums are case-sensitive)"},
      {"input-unknown-field", E, V, "remove the member or fix its spelling"},
      {"input-range", E, V, "keep the value within the bounds of the ECS API model"},
      {"template-unset", E, V, "pass it with --var NAME=VALUE, --var-file, --env-file or the environment"},
      {"container-name-required", E, V, "give every container a name"},
      {"container-image-required", E, V, "give every container an image"},
      // 1 Fargate task size
      {"task-cpu-format", E, V, "task cpu is a number of CPU units (\"1024\") or \"<n> vCPU\""},
      {"task-memory-format", E, V, "task memory is MiB (\"2048\") or \"<n> GB\""},
      {"fargate-cpu-required", E, V, "Fargate needs a task-level cpu, e.g. \"cpu\": \"256\""},
      {"fargate-memory-required", E, V, "Fargate needs a task-level memory, e.g. \"memory\": \"512\""},
      {"fargate-task-size", E, V, "pick a cpu/memory pair from the Fargate size table"},
      {"fargate-windows-min-cpu", E, V, "Windows on Fargate needs at least 1 vCPU (cpu \"1024\")"},
      {"fargate-windows-large-size", W, U, "8 and 16 vCPU sizes are documented for Linux platform 1.4.0+ only"},
      {"fargate-platform-version", E, V, "8/16 vCPU tasks need Fargate platform version 1.4.0 or LATEST"},
      {"container-cpu-sum", E, V, "lower the container cpu values or raise the task cpu"},
      {"container-memory-exceeds-task", E, V, "lower the container memory or raise the task memory"},
      {"container-memory-sum", E, V, "lower the container reservations or raise the task memory"},
      // 2 EC2 / External / Windows
      {"task-cpu-range", E, V, "task cpu must be between 128 and 196608 units"},
      {"container-memory-required", E, V, "set container memory (hard) or memoryReservation (soft), or a task-level memory"},
      {"memory-reservation-gt-memory", E, V, "memoryReservation (soft) must not exceed memory (hard)"},
      {"memory-reservation-eq-memory", W, U, "the model says memory must be greater than memoryReservation"},
      {"container-memory-min", E, V, "Docker 20.10+ reserves 6 MiB per container; use at least 6"},
      {"container-cpu-range", W, V, "Linux CPU shares run 2..262144; ECS passes 1 as 2 and caps large values"},
      {"windows-container-resources", W, V, "task-level cpu/memory are ignored for Windows containers; set them per container"},
      {"windows-network-mode", E, V, "Windows on EC2 supports only the default network mode or awsvpc"},
      {"windows-unsupported-param", E, V, "remove the member for Windows containers"},
      {"windows-arm64", E, V, "ARM64 is available for Linux only"},
      // 3 network modes and port mappings
      {"fargate-network-mode", E, V, "Fargate requires \"networkMode\": \"awsvpc\""},
      {"port-none-mode", E, V, "network mode none allows no port mappings"},
      {"port-container-port-required", E, V, "give containerPort (or containerPortRange), not both and not neither"},
      {"port-value-range", E, V, "ports must be 1..65535 (hostPort 0 means dynamic)"},
      {"port-hostport-awsvpc", E, V, "with awsvpc, omit hostPort or set it equal to containerPort"},
      {"port-hostport-host", E, V, "with host networking, omit hostPort or set it equal to containerPort"},
      {"port-hostport-ephemeral", W, V, "use hostPort 0 (or omit it) or a static port below 32768"},
      {"port-hostport-reserved", W, V, "22, 2375, 2376 and 51678-51680 are reserved on ECS container instances"},
      {"port-duplicate", E, V, "one container port can't be exposed for two protocols"},
      {"port-static-host-max", W, V, "an instance can reserve only 100 ports, 6 of them taken by default"},
      {"port-range-network-mode", E, V, "containerPortRange needs bridge or awsvpc networking"},
      {"port-range-format", E, V, "use \"first-last\" with first < last, e.g. \"8000-8010\""},
      {"port-range-hostport", E, V, "leave hostPort empty with containerPortRange; ECS assigns host ports"},
      {"port-range-max", E, V, "at most 100 port ranges per container"},
      {"port-range-overlap", E, V, "a port can be in only one mapping per container"},
      {"port-name-format", E, V, "port name: lowercase letters, digits, _ and -, max 64, not starting with -"},
      {"port-name-unique", E, U, "give each port mapping its own name"},
      {"port-appprotocol-needs-name", W, U, "appProtocol only takes effect for Service Connect, which addresses the port by name"},
      {"port-host-conflict", W, U, "a port can be bound only once, in the task's network namespace (awsvpc) or on the instance (host, bridge); use different ports"},
      {"dns-awsvpc", W, U, "DNS settings are not applied in awsvpc mode; configure the VPC resolver"},
      {"extrahosts-awsvpc", E, V, "extraHosts isn't supported with awsvpc"},
      {"hostname-awsvpc", E, V, "hostname isn't supported with awsvpc networking"},
      {"links-network-mode", E, V, "links work only in bridge mode; in awsvpc containers reach each other on localhost"},
      // 4 names, references, limits
      {"family-format", E, V, "family: up to 255 letters, digits, hyphens, underscores"},
      {"container-name-format", E, V, "container name: up to 255 letters, digits, hyphens, underscores"},
      {"container-name-unique", E, U, "give each container its own name"},
      {"container-count-min", E, V, "a task definition needs at least one container"},
      {"container-count-max", E, V, "ECS allows at most 10 containers per task definition (not adjustable)"},
      {"volume-name-format", E, V, "volume name: up to 255 letters, digits, hyphens, underscores"},
      {"volume-name-unique", E, U, "give each volume its own name"},
      {"image-format", E, V, "image must be repository[:tag] or repository@sha256:<64 hex>"},
      {"tags-max", E, V, "at most 50 tags per task definition"},
      {"tag-key-format", E, V, "tag keys 1..128, values ..256 chars; letters, digits, spaces and _ . : / = + - @"},
      {"tag-key-unique", E, V, "each tag key once"},
      {"tag-aws-prefix", E, V, "the aws: prefix is reserved for AWS"},
      {"env-name-format", W, V, "environment variable names should be letters, digits and _"},
      {"env-duplicate", W, V, "set each variable once; the later/secret value wins"},
      {"role-arn-format", E, U, "role ARN must look like arn:aws:iam::123456789012:role/name"},
      {"execution-role-short-name", W, U, "give executionRoleArn as a full role ARN"},
      {"taskdef-ref-format", E, V, "use family, family:revision or the full task-definition ARN"},
      {"taskdef-size", W, U, "move large configuration into files or SSM parameters"},
      // 5.1 essential, links, volumesFrom, mount points
      {"essential-none", E, V, "mark at least one container essential (essential defaults to true)"},
      {"links-target", E, V, "links entries are name or name:alias of another container of this task"},
      {"volumesfrom-target", E, V, "sourceContainer must be another container of this task"},
      {"mountpoint-volume", E, V, "define the volume under volumes or fix sourceVolume"},
      {"mountpoint-path", E, U, "a mount point needs a containerPath"},
      // 5.2 dependsOn and timeouts
      {"depends-on-target", E, V, "dependsOn must name another container of this task"},
      {"depends-on-cycle", E, V, "break the dependsOn cycle; containers could never start"},
      {"depends-on-healthy-needs-healthcheck", E, V, "give the target container a healthCheck, or use condition START"},
      {"depends-on-complete-essential", E, V, "set \"essential\": false on the target container"},
      {"start-timeout-range", E, V, "startTimeout on Fargate must be 2..120 seconds"},
      {"stop-timeout-range", E, V, "stopTimeout on Fargate must be 2..120 seconds"},
      {"timeout-ec2-positive", E, V, "timeouts are seconds >= 0"},
      // 5.3 health check
      {"healthcheck-command", E, V, "healthCheck.command must start with \"CMD\" or \"CMD-SHELL\", e.g. [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]"},
      {"healthcheck-interval-range", E, V, "interval must be 5..300 seconds"},
      {"healthcheck-timeout-range", E, V, "timeout must be 2..60 seconds"},
      {"healthcheck-retries-range", E, V, "retries must be 1..10"},
      {"healthcheck-start-period-range", E, V, "startPeriod must be 0..300 seconds"},
      {"healthcheck-timeout-ge-interval", W, U, "make timeout shorter than interval so checks don't overlap"},
      // 5.4 logging
      {"log-driver-fargate", E, V, "Fargate supports only awslogs, splunk and awsfirelens log drivers"},
      {"awslogs-group-required", E, V, "awslogs needs options.awslogs-group"},
      {"awslogs-region-required", E, V, "awslogs needs options.awslogs-region"},
      {"awslogs-stream-prefix-required", E, V, "awslogs on Fargate needs options.awslogs-stream-prefix"},
      {"awslogs-stream-prefix-missing", W, V, "without a stream prefix, log streams are named by Docker container id"},
      {"awslogs-multiline-conflict", E, V, "set awslogs-datetime-format or awslogs-multiline-pattern, not both"},
      {"log-mode-value", E, V, "mode must be blocking or non-blocking"},
      {"splunk-required-options", E, V, "splunk needs splunk-url and splunk-token (token preferably via secretOptions)"},
      {"awsfirelens-needs-router", E, U, "awsfirelens needs a log-router container with firelensConfiguration"},
      {"firelens-config-file-type-fargate", E, V, "Fargate supports only config-file-type \"file\""},
      {"log-config-missing", W, V, "add a logConfiguration (e.g. awslogs); otherwise output goes to the daemon default (nowhere on Fargate)"},
      // 5.5 secrets, environment files, registry credentials
      {"secret-valuefrom-format", E, V, "valueFrom must be a Secrets Manager secret ARN, an SSM parameter ARN, or an SSM parameter name"},
      {"secret-name-unique", E, U, "define each secret once"},
      {"execution-role-required", E, V, "add executionRoleArn: the ECS agent needs it"},
      {"environment-files-max", E, V, "at most 10 environment files"},
      {"environment-file-format", E, V, "environment file must be an S3 object ARN ending in .env"},
      {"repository-credentials-format", E, V, "credentialsParameter must be a Secrets Manager secret ARN or name"},
      // 5.6 privileges, Linux parameters, ulimits, sysctls
      {"fargate-unsupported-param", E, V, "remove the member for Fargate"},
      {"fargate-capability-add", E, V, "on Fargate the only capability you can add is SYS_PTRACE"},
      {"capability-value", E, V, "write capability names without CAP_ (NET_ADMIN, not CAP_NET_ADMIN), or ALL"},
      {"privileged-capabilities-ignored", W, V, "capabilities are ignored for privileged containers"},
      {"swappiness-range", E, V, "swappiness must be 0..100 and maxSwap >= 0"},
      {"swappiness-without-maxswap", W, V, "swappiness is ignored unless maxSwap is set"},
      {"ulimit-soft-gt-hard", E, U, "the soft limit must not exceed the hard limit"},
      {"ulimit-duplicate", E, U, "set each ulimit once"},
      {"ulimit-fargate-non-nofile", W, U, "Fargate uses OS defaults for all limits except nofile"},
      {"sysctl-host-network", E, V, "network sysctls aren't supported with host networking"},
      {"sysctl-host-ipc", E, V, "IPC sysctls aren't supported with ipcMode host"},
      {"sysctl-awsvpc-conflict", W, V, "in awsvpc mode sysctls are task-wide; the last container started wins"},
      {"sysctl-namespace", E, V, "only IPC (kernel.msg*/sem/shm*, fs.mqueue.*) and net.* sysctls are supported"},
      {"docker-security-options-format", W, V, "entries are no-new-privileges, apparmor:<p>, label:<v> or credentialspec:<path>"},
      {"credential-specs-max", E, V, "credentialSpecs takes one ARN, prefixed credentialspec: or credentialspecdomainless:"},
      {"host-network-root-user", W, V, "don't run host-networked containers as root; set user"},
      // 5.7 GPUs, accelerators, restart policy
      {"gpu-value", E, V, "GPU value must be a count like \"1\" or \"ALL\""},
      {"neuron-device", E, V, "NeuronDevice: value ALL, one container, Managed Instances only"},
      {"inference-accelerator-ref", E, V, "declare each accelerator under inferenceAccelerators and use each one"},
      {"restart-policy-range", E, V, "restartAttemptPeriod must be 60..1800; at most 50 ignored exit codes"},
      // 6 task-level members
      {"pid-mode-fargate", E, V, "on Fargate pidMode can only be \"task\" (platform 1.4.0+)"},
      {"volume-one-type", E, V, "a volume takes one of host, dockerVolumeConfiguration, efsVolumeConfiguration, s3filesVolumeConfiguration, fsxWindowsFileServerVolumeConfiguration, configuredAtLaunch"},
      {"volume-configured-at-launch-max", E, V, "only one volume can be configured at launch"},
      {"docker-volume-autoprovision-scope", W, V, "autoprovision is only used with scope shared"},
      {"efs-transit-encryption", E, V, "EFS IAM authorization / access points require transitEncryption ENABLED"},
      {"efs-root-directory-access-point", E, V, "with an access point, omit rootDirectory (or use \"/\")"},
      {"efs-iam-task-role", W, V, "EFS IAM authorization mounts with the task role; set taskRoleArn"},
      {"s3files-task-role", E, V, "S3 Files volumes need a task role"},
      {"ephemeral-storage-range", E, V, "ephemeral storage must be 21..200 GiB (20 GiB is the default without this block)"},
      {"ephemeral-storage-not-fargate", W, U, "ephemeralStorage only affects Fargate tasks"},
      {"proxy-awsvpc", E, U, "App Mesh proxy configuration needs awsvpc"},
      {"proxy-container", E, V, "proxyConfiguration.containerName must name a container of this task"},
      {"proxy-properties", E, V, "App Mesh proxy needs IgnoredUID/GID, AppPorts, ProxyIngressPort, ProxyEgressPort"},
      {"placement-constraints-max", E, V, "at most 10 constraints; memberOf needs an expression"},
      // 7 best practice
      {"env-plaintext-secret", W, V, "move it to secrets with valueFrom (SSM Parameter Store / Secrets Manager)"},
      {"image-latest-tag", W, V, "pin a tag or digest instead of latest"},
      {"healthcheck-missing-lb", W, V, "add a container healthCheck; otherwise ECS relies only on the target group check"},
      {"memory-headroom", W, V, "leave headroom; a memory spike will OOM-kill the task"},
  };
  return table;
}

const Rule* find_rule(std::string_view id) {
  const auto& t = rules();
  auto it = std::find_if(t.begin(), t.end(), [&](const Rule& r) { return r.id == id; });
  return it == t.end() ? nullptr : &*it;
}

}  // namespace ecsctl::taskdef
