#!/usr/bin/env bash
# Benchmark of `ecsctl validate DIR`: generates N task definitions (default
# 10,000; half JSON, half YAML, realistic 2-container Fargate and EC2 shapes)
# into a temporary directory and reports definitions per second (hyperfine)
# and peak RSS (/usr/bin/time -v). Goal: >= 20,000 definitions/s on one core,
# < 50 MB peak RSS.
#   bench/validate.sh [path/to/ecsctl] [N]
set -euo pipefail
ECSCTL=${1:-${ECSCTL:-build/ecsctl}}
N=${2:-10000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$DIR.h.json"' EXIT  # the hyperfine export lives outside DIR, which is validated

python3 - "$DIR" "$N" <<'PY'
import json, os, sys
out, n = sys.argv[1], int(sys.argv[2])
def definition(i):
    fargate = i % 2 == 0
    app = {
        "name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/svc-%d:1.%d.0" % (i, i % 50),
        "essential": True, "cpu": 256, "memoryReservation": 512,
        "portMappings": [{"name": "http", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}],
        "environment": [{"name": "SERVICE_ID", "value": str(i)}, {"name": "LOG_LEVEL", "value": "info"},
                        {"name": "PORT", "value": "8080"}],
        "secrets": [{"name": "DB_URL", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/svc/%d/db" % i}],
        "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
                        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10},
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/svc-%d" % i,
                             "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}},
    }
    side = {
        "name": "metrics", "image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
        "essential": False, "cpu": 128, "memoryReservation": 256,
        "dependsOn": [{"containerName": "app", "condition": "START"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/svc-%d" % i,
                             "awslogs-region": "us-east-1", "awslogs-stream-prefix": "metrics"}},
    }
    td = {"family": "svc-%d" % i, "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
          "taskRoleArn": "arn:aws:iam::123456789012:role/svc-%d" % i, "containerDefinitions": [app, side],
          "tags": [{"key": "service", "value": "svc-%d" % i}, {"key": "team", "value": "platform"}]}
    if fargate:
        td.update({"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "1024", "memory": "2048"})
    else:
        td.update({"requiresCompatibilities": ["EC2"], "networkMode": "bridge"})
        app["portMappings"][0]["hostPort"] = 0
        app["memory"] = 1024
        side["memory"] = 512
    return td
def to_yaml(v, ind=0):
    sp = "  " * ind
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append("%s%s:\n%s" % (sp, k, to_yaml(x, ind + 1)))
            else:
                lines.append("%s%s: %s" % (sp, k, json.dumps(x)))
        return "\n".join(lines)
    lines = []
    for x in v:
        body = to_yaml(x, ind + 1) if isinstance(x, (dict, list)) else "  " * (ind + 1) + json.dumps(x)
        lines.append("%s- %s" % (sp, body.lstrip()))
    return "\n".join(lines)
for i in range(n):
    td = definition(i)
    sub = os.path.join(out, "team-%02d" % (i % 20))
    os.makedirs(sub, exist_ok=True)
    if i % 2 == 0:
        with open(os.path.join(sub, "svc-%05d.json" % i), "w") as f: json.dump(td, f, indent=2)
    else:
        with open(os.path.join(sub, "svc-%05d.yaml" % i), "w") as f: f.write(to_yaml(td) + "\n")
PY

echo "generated $N definitions in $DIR ($(du -sh "$DIR" | cut -f1))"
"$ECSCTL" validate "$DIR" --strict >/dev/null   # all clean: exits 0
if command -v hyperfine >/dev/null; then
  # One core: the last one by default (CORE=N picks another; on some VMs core 0 also serves interrupts).
  CORE=${CORE:-$(( $(nproc) - 1 ))}
  hyperfine --warmup 1 --runs 5 --export-json "$DIR.h.json" "taskset -c $CORE $ECSCTL validate $DIR" >&2
  python3 -c "import json,sys; m=json.load(open('$DIR.h.json'))['results'][0]['mean']; print('mean %.3f s -> %.0f definitions/s (one core)' % (m, $N/m))"
fi
/usr/bin/time -v "$ECSCTL" validate "$DIR" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed" | sed 's/^\s*//'
