#!/usr/bin/env bash
# ecsctl local: load balancer listeners are real proxies on 127.0.0.1 and
# target health comes from real health checks. Two python3 HTTP servers are
# the targets of an ALB (round robin, a killed one turns unhealthy and gets no
# more traffic, deregistration drains), a matcher mismatch is reported as
# ELBv2 does, an empty target group answers 503, a taken port is mapped, and an
# NLB's TCP listener forwards bytes.
source "$(dirname "$0")/lib/local.bash"
start_local

SERVERS=()
stop_servers() {
  local pid
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap 'stop_servers; cleanup' EXIT

# elb ACTION FORM...: a signed ELBv2 Query request; prints the XML body,
# returns 0 only for HTTP 200.
elb() {
  local action=$1 status
  shift
  local args=(--data-urlencode "Action=$action" --data-urlencode "Version=2015-12-01")
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  status=$(curl -s -o "$TMP/elb" -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:elasticloadbalancing" \
    --user "$AKID:$SECRET" "${args[@]}" "$ENDPOINT/")
  cat "$TMP/elb"
  [ "$status" = 200 ]
}
xml_values() { grep -o "<$1>[^<]*</$1>" | sed -e "s/<$1>//" -e "s/<\/$1>//"; }

# health TG_ARN: "id:port:state:reason" lines, sorted.
health() {
  elb DescribeTargetHealth "TargetGroupArn=$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"e": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"}
root = ET.fromstring(sys.stdin.read())
for m in root.iterfind(".//e:TargetHealthDescriptions/e:member", ns):
    print("%s:%s:%s:%s" % (m.findtext("e:Target/e:Id", namespaces=ns), m.findtext("e:Target/e:Port", namespaces=ns),
                           m.findtext("e:TargetHealth/e:State", namespaces=ns),
                           m.findtext("e:TargetHealth/e:Reason", default="", namespaces=ns)))' | sort
}
# wait_health TG_ARN PYTHON_CONDITION_ON_LINES [SECONDS]: polls until the condition holds.
wait_health() {
  local i
  for i in $(seq 1 $((${3:-20} * 10))); do
    health "$1" >"$TMP/health"
    if python3 -c "import sys; lines = open('$TMP/health').read().split(); sys.exit(0 if ($2) else 1)"; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for ($2); target health: $(cat "$TMP/health")"
}
# serve NAME: a python3 HTTP server on a free port whose / says NAME; sets SERVE_PORT, SERVE_PID.
serve() {
  mkdir -p "$TMP/www-$1"
  echo "$1" >"$TMP/www-$1/index.html"
  SERVE_PORT=$(free_port)
  python3 -m http.server "$SERVE_PORT" --bind 127.0.0.1 --directory "$TMP/www-$1" >/dev/null 2>&1 &
  SERVE_PID=$!
  SERVERS+=("$SERVE_PID")
  local i
  for i in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$SERVE_PORT/" >/dev/null && return 0
    sleep 0.05
  done
  fail "python3 http.server $1 did not start"
}
# address LISTENER_ARN: host:port where the listener really listens (from `local status`).
address() {
  local i a
  for i in $(seq 1 100); do
    a=$("$ECSCTL" local status --state "$STATE" | jq -r --arg l "$1" '.loadBalancerListeners[] | select(.ListenerArn == $l) | .Address')
    [ -n "$a" ] && { echo "$a"; return 0; }
    sleep 0.05
  done
  fail "listener $1 not in local status"
}

serve one
P1=$SERVE_PORT PID1=$SERVE_PID
serve two
P2=$SERVE_PORT

elb CreateLoadBalancer Name=front Subnets.member.1=subnet-0aaa Subnets.member.2=subnet-0bbb >"$TMP/lb.xml" || fail "CreateLoadBalancer: $(cat "$TMP/elb")"
LB=$(xml_values LoadBalancerArn <"$TMP/lb.xml")
elb CreateTargetGroup Name=web Protocol=HTTP Port=80 VpcId=vpc-0local TargetType=ip HealthCheckIntervalSeconds=5 \
  HealthCheckTimeoutSeconds=2 HealthyThresholdCount=2 UnhealthyThresholdCount=2 HealthCheckPath=/index.html \
  Matcher.HttpCode=200-299 >"$TMP/tg.xml" || fail "CreateTargetGroup: $(cat "$TMP/elb")"
TG=$(xml_values TargetGroupArn <"$TMP/tg.xml")
elb RegisterTargets "TargetGroupArn=$TG" Targets.member.1.Id=127.0.0.1 "Targets.member.1.Port=$P1" \
  Targets.member.2.Id=127.0.0.1 "Targets.member.2.Port=$P2" >/dev/null || fail "RegisterTargets: $(cat "$TMP/elb")"
LPORT=$(free_port)
elb CreateListener "LoadBalancerArn=$LB" "Port=$LPORT" Protocol=HTTP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG" >"$TMP/l.xml" || fail "CreateListener: $(cat "$TMP/elb")"
L1=$(xml_values ListenerArn <"$TMP/l.xml")
expect_eq "$(address "$L1")" "127.0.0.1:$LPORT" "a free listener port is used as is (local status)"
expect_eq "$(elb DescribeListeners "ListenerArns.member.1=$L1" | xml_values Port)" "$LPORT" "describe-listeners keeps the port"

wait_health "$TG" "len(lines) == 2 and all(':healthy:' in l for l in lines)"
pass "both targets healthy through real HTTP checks"

# Round robin over the two healthy targets.
bodies=""
for i in 1 2 3 4; do bodies+="$(curl -s "http://127.0.0.1:$LPORT/")"$'\n'; done
expect_eq "$(sort -u <<<"${bodies%$'\n'}" | tr '\n' ' ')" "one two " "both targets answer through the listener"
python3 -c "import sys; b = sys.argv[1].split(); sys.exit(0 if all(b[i] != b[i + 1] for i in range(len(b) - 1)) else 1)" "$bodies" \
  || fail "requests do not alternate: $bodies"
pass "requests alternate between the targets"
curl -s -D "$TMP/headers" -o /dev/null "http://127.0.0.1:$LPORT/index.html" -H 'X-Forwarded-For: 203.0.113.7'
grep -q '^HTTP/1.1 200' "$TMP/headers" || fail "proxied status: $(cat "$TMP/headers")"
pass "proxied response status"

# A killed target turns unhealthy (fast pace: checks every 0.25 s, 2 failures) and gets no traffic.
kill "$PID1"
wait "$PID1" 2>/dev/null || true
start=$(date +%s.%N)
wait_health "$TG" "'127.0.0.1:$P1:unhealthy:Target.FailedHealthChecks' in lines and '127.0.0.1:$P2:healthy:' in lines" 10
elapsed=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
python3 -c "import sys; sys.exit(0 if $elapsed < 5 else 1)" || fail "unhealthy after ${elapsed}s"
pass "the killed target is unhealthy after ${elapsed}s (Target.FailedHealthChecks)"
bodies=""
for i in 1 2 3 4; do bodies+="$(curl -s "http://127.0.0.1:$LPORT/") "; done
expect_eq "$bodies" "two two two two " "traffic goes only to the healthy target"

# Deregistration: draining (300 s / 300 in fast pace), then gone.
elb DeregisterTargets "TargetGroupArn=$TG" Targets.member.1.Id=127.0.0.1 "Targets.member.1.Port=$P1" >/dev/null || fail "DeregisterTargets"
expect_eq "$(health "$TG" | grep ":$P1:")" "127.0.0.1:$P1:draining:Target.DeregistrationInProgress" "deregistered target drains"
wait_health "$TG" "lines == ['127.0.0.1:$P2:healthy:']" 10
pass "drained target is gone"

# A matcher mismatch: /missing answers 404; with no healthy target the listener fails open.
elb CreateTargetGroup Name=missing Protocol=HTTP Port=80 VpcId=vpc-0local TargetType=ip HealthCheckIntervalSeconds=5 \
  HealthCheckTimeoutSeconds=2 HealthyThresholdCount=2 UnhealthyThresholdCount=2 HealthCheckPath=/missing \
  >"$TMP/tg2.xml" || fail "CreateTargetGroup missing: $(cat "$TMP/elb")"
TG2=$(xml_values TargetGroupArn <"$TMP/tg2.xml")
elb RegisterTargets "TargetGroupArn=$TG2" Targets.member.1.Id=127.0.0.1 "Targets.member.1.Port=$P2" >/dev/null || fail "RegisterTargets missing"
L2PORT=$(free_port)
elb CreateListener "LoadBalancerArn=$LB" "Port=$L2PORT" Protocol=HTTP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG2" >"$TMP/l2.xml" || fail "CreateListener 2: $(cat "$TMP/elb")"
wait_health "$TG2" "lines == ['127.0.0.1:$P2:unhealthy:Target.ResponseCodeMismatch']"
pass "a 404 on the health check path is Target.ResponseCodeMismatch"
elb DescribeTargetHealth "TargetGroupArn=$TG2" | grep -q '<Description>Health checks failed with these codes: \[404\]</Description>' \
  || fail "mismatch description: $(cat "$TMP/elb")"
pass "the mismatch description names the code"
address "$(xml_values ListenerArn <"$TMP/l2.xml")" >/dev/null
expect_eq "$(curl -s "http://127.0.0.1:$L2PORT/")" two "all targets unhealthy: the listener fails open"

# An empty target group: 503. A taken port: the listener is mapped to another one.
elb CreateTargetGroup Name=empty Protocol=HTTP Port=80 VpcId=vpc-0local TargetType=ip >"$TMP/tg3.xml" || fail "CreateTargetGroup empty"
TG3=$(xml_values TargetGroupArn <"$TMP/tg3.xml")
BUSY=$(free_port)
python3 -c "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', $BUSY)); s.listen(); time.sleep(600)" &
SERVERS+=($!)
for i in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$BUSY") 2>/dev/null && break
  sleep 0.05
done
elb CreateListener "LoadBalancerArn=$LB" "Port=$BUSY" Protocol=HTTP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG3" >"$TMP/l3.xml" || fail "CreateListener 3: $(cat "$TMP/elb")"
L3=$(xml_values ListenerArn <"$TMP/l3.xml")
A3=$(address "$L3")
[ "$A3" != "127.0.0.1:$BUSY" ] || fail "listener on a taken port reported at that port"
pass "a taken listener port is mapped to $A3"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$A3/")" 503 "no registered target: 503"
grep -q "listens on $A3" "$STATE/server.log" || fail "mapping not in server.log"
pass "the mapping is in server.log"
elb DeleteListener "ListenerArn=$L3" >/dev/null || fail "DeleteListener: $(cat "$TMP/elb")"
for i in $(seq 1 100); do
  curl -s -o /dev/null "http://$A3/" || break
  sleep 0.05
done
curl -s -o /dev/null "http://$A3/" && fail "deleted listener still answers"
pass "a deleted listener stops listening"

# An NLB: a TCP listener forwards to the target; TCP health checks.
elb CreateLoadBalancer Name=tcpfront Type=network Subnets.member.1=subnet-0aaa >"$TMP/nlb.xml" || fail "CreateLoadBalancer network: $(cat "$TMP/elb")"
NLB=$(xml_values LoadBalancerArn <"$TMP/nlb.xml")
elb CreateTargetGroup Name=tcp Protocol=TCP Port=80 VpcId=vpc-0local TargetType=ip HealthyThresholdCount=2 >"$TMP/tg4.xml" || fail "CreateTargetGroup TCP: $(cat "$TMP/elb")"
TG4=$(xml_values TargetGroupArn <"$TMP/tg4.xml")
elb RegisterTargets "TargetGroupArn=$TG4" Targets.member.1.Id=127.0.0.1 "Targets.member.1.Port=$P2" >/dev/null || fail "RegisterTargets TCP"
NPORT=$(free_port)
elb CreateListener "LoadBalancerArn=$NLB" "Port=$NPORT" Protocol=TCP DefaultActions.member.1.Type=forward \
  "DefaultActions.member.1.TargetGroupArn=$TG4" >"$TMP/l4.xml" || fail "CreateListener TCP: $(cat "$TMP/elb")"
expect_eq "$(address "$(xml_values ListenerArn <"$TMP/l4.xml")")" "127.0.0.1:$NPORT" "TCP listener address"
wait_health "$TG4" "lines == ['127.0.0.1:$P2:healthy:']"
pass "TCP health check passes"
expect_eq "$(curl -s "http://127.0.0.1:$NPORT/")" two "the TCP listener forwards the connection"

# The same through the AWS CLI: Debian's (v2) when installed, else the one on PATH.
AWS=/usr/bin/aws
[ -x "$AWS" ] || AWS=$(command -v aws || true)
if [ -n "$AWS" ]; then
  export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_DEFAULT_REGION=us-east-1
  unset AWS_PROFILE AWS_CA_BUNDLE
  awsl() { "$AWS" --endpoint-url "$ENDPOINT" --output json "$@"; }
  expect_eq "$(awsl elbv2 describe-target-health --target-group-arn "$TG2" | jq -r '.TargetHealthDescriptions[0] | "\(.Target.Port):\(.TargetHealth.State):\(.TargetHealth.Reason):\(.TargetHealth.Description)"')" \
    "$P2:unhealthy:Target.ResponseCodeMismatch:Health checks failed with these codes: [404]" "aws elbv2 describe-target-health"
  awsl elbv2 modify-target-group-attributes --target-group-arn "$TG" --attributes Key=deregistration_delay.timeout_seconds,Value=0 >/dev/null \
    || fail "aws elbv2 modify-target-group-attributes"
  expect_eq "$(awsl elbv2 describe-target-group-attributes --target-group-arn "$TG" | jq -r '.Attributes[] | select(.Key == "deregistration_delay.timeout_seconds") | .Value')" \
    0 "aws elbv2 modify-target-group-attributes sets the deregistration delay"
else
  echo "skip - aws not installed"
fi
echo "local_lb_proxy: $PASSES checks passed"
