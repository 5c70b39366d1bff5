#!/usr/bin/env python3
"""A scripted AWS JSON 1.1 server for tests (ECS, CodeDeploy, ...), on 127.0.0.1 only.

The script is a JSON object: for each operation name (the part of X-Amz-Target
after the dot, e.g. "GetDeployment"), the list of answers to give in turn; the
last one repeats. An answer is the response body (an object), or an error:
{"__error": "DeploymentDoesNotExistException", "message": "...", "status": 400}.
An operation the script lacks is answered with 400 UnknownOperationException.

Every request is appended to LOGFILE as one JSON line:
{"target": X-Amz-Target, "operation": ..., "body": the parsed JSON body}.

usage: scripted_server.py SCRIPT LOGFILE PORTFILE   (binds a free port, writes it to PORTFILE)
"""
import http.server
import json
import os
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        target = self.headers.get("X-Amz-Target") or ""
        operation = target.rsplit(".", 1)[-1]
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = raw
        server = self.server
        with server.lock:
            with open(server.log_path, "a") as f:
                f.write(json.dumps({"target": target, "operation": operation, "body": body}) + "\n")
            answers = server.script.get(operation)
            if answers:
                n = server.calls.get(operation, 0)
                server.calls[operation] = n + 1
                answer = answers[min(n, len(answers) - 1)]
            else:
                answer = {"__error": "UnknownOperationException", "message": "not scripted: " + operation}
        status = 200
        if isinstance(answer, dict) and "__error" in answer:
            status = answer.get("status", 400)
            answer = {"__type": answer["__error"], "message": answer.get("message", "")}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "req-%d" % sum(server.calls.values()))
        self.end_headers()
        self.wfile.write(payload)


def main():
    script_path, log_path, port_path = sys.argv[1:4]
    with open(script_path) as f:
        script = json.load(f)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.script, server.calls, server.lock, server.log_path = script, {}, threading.Lock(), log_path
    with open(port_path + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_path + ".tmp", port_path)
    server.serve_forever()


if __name__ == "__main__":
    main()
