#!/usr/bin/env python3
"""A tiny AWS-shaped capture server for tests, on 127.0.0.1 only.

Answers every request with an empty result ({} for JSON protocols, an empty
<OpResponse> document for the query protocol) and appends one JSON line per
request to the log file: method, path, X-Amz-Target, Content-Type and body.

usage: capture_server.py LOGFILE PORTFILE   (binds a free port, writes it to PORTFILE)
"""
import http.server
import json
import sys
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        record = {
            "method": self.command,
            "path": self.path,
            "target": self.headers.get("X-Amz-Target"),
            "content_type": self.headers.get("Content-Type"),
            "body": body,
        }
        with open(self.server.log_path, "a") as f:
            f.write(json.dumps(record) + "\n")
        ctype = self.headers.get("Content-Type") or ""
        if ctype.startswith("application/x-www-form-urlencoded"):
            action = urllib.parse.parse_qs(body).get("Action", ["Unknown"])[0]
            payload = ("<%sResponse><%sResult/><ResponseMetadata><RequestId>req-1</RequestId>"
                       "</ResponseMetadata></%sResponse>" % (action, action, action)).encode()
            out_type = "text/xml"
        else:
            payload = b"{}"
            out_type = "application/x-amz-json-1.1"
        self.send_response(200)
        self.send_header("Content-Type", out_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "req-1")
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _handle


def main():
    log_path, port_path = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.log_path = log_path
    with open(port_path + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(port_path + ".tmp", port_path)
    server.serve_forever()


if __name__ == "__main__":
    main()
