#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for tests, on 127.0.0.1 only, in front of
`ecsctl local` (or any loopback endpoint).

It forwards each request unchanged (Host header included, so SigV4 still
verifies upstream) and answers some itself, as AWS would:

  * a request whose X-Amz-Security-Token contains "exp<UNIX-SECONDS>" with that
    time in the past gets HTTP 400 ExpiredTokenException ("The security token
    included in the request is expired"), as STS-issued tokens do;
  * --fail NAME=CODE[,STATUS[,TIMES[,SKIP]]] answers the operation NAME with the
    error CODE (HTTP STATUS, default 400) TIMES times (default: every time), after
    letting the first SKIP calls of it through (default 0). NAME is an
    operation (the X-Amz-Target suffix or the query Action) or, for REST
    protocols, a prefix of "METHOD /path" ("POST /schedules/").

Errors are shaped for the protocol of the request: JSON 1.0/1.1 ({"__type"}),
query/XML (<ErrorResponse>) or REST-JSON (X-Amzn-ErrorType). One JSON line per
request goes to LOGFILE: {"op", "status", "injected"} (never a header value).

usage: fault_proxy.py UPSTREAM_URL LOGFILE PORTFILE [--fail RULE]...  (binds a free port, writes it to PORTFILE)
"""
import http.client
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class Rule:
    def __init__(self, text):
        name, _, spec = text.partition("=")
        parts = spec.split(",")
        self.name = name
        self.code = parts[0]
        self.status = int(parts[1]) if len(parts) > 1 and parts[1] else 400
        self.times = int(parts[2]) if len(parts) > 2 and parts[2] else None
        self.skip = int(parts[3]) if len(parts) > 3 and parts[3] else 0

    def matches(self, op, method_path):
        return op == self.name or method_path.startswith(self.name)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _record(self, op, status, injected):
        with self.server.lock:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps({"op": op, "status": status, "injected": injected}) + "\n")

    def _error(self, kind, op, code, status, message):
        if kind == "query":
            body = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
                    "<RequestId>fault-proxy</RequestId></ErrorResponse>" % (code, message)).encode()
            headers = {"Content-Type": "text/xml"}
        elif kind == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.1"}
        else:
            body = json.dumps({"Message": message}).encode()
            headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": code}
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("x-amzn-RequestId", "fault-proxy")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._record(op, status, code)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        ctype = self.headers.get("Content-Type") or ""
        if target:
            kind, op = "json", target.rsplit(".", 1)[-1]
        elif ctype.startswith("application/x-www-form-urlencoded"):
            kind = "query"
            op = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", ["Unknown"])[0]
        else:
            kind, op = "rest", ""
        method_path = self.command + " " + urllib.parse.urlsplit(self.path).path
        op = op or method_path

        token = self.headers.get("X-Amz-Security-Token") or ""
        m = re.search(r"exp(\d+)", token)
        if m and int(m.group(1)) < time.time():
            return self._error(kind, op, "ExpiredTokenException", 400,
                               "The security token included in the request is expired")
        with self.server.lock:
            rule = next((r for r in self.server.rules if r.matches(op, method_path) and r.times != 0), None)
            if rule and rule.skip > 0:
                rule.skip -= 1
                rule = None
            elif rule and rule.times is not None:
                rule.times -= 1
        if rule:
            return self._error(kind, op, rule.code, rule.status, "injected by fault_proxy.py: " + rule.code)

        up = urllib.parse.urlsplit(self.server.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self._record(op, resp.status, None)

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


def main():
    args = sys.argv[1:]
    rules = []
    while "--fail" in args:
        i = args.index("--fail")
        rules.append(Rule(args[i + 1]))
        del args[i:i + 2]
    upstream, log_path, port_path = args
    if urllib.parse.urlsplit(upstream).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("fault_proxy.py: the upstream must be on 127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.upstream, server.log_path, server.rules, server.lock = upstream, log_path, rules, threading.Lock()
    with open(port_path + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_path + ".tmp", port_path)
    server.serve_forever()


if __name__ == "__main__":
    main()
