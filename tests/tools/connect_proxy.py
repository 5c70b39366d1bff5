#!/usr/bin/env python3
"""A small HTTP CONNECT proxy for tests, on 127.0.0.1 only.

usage: connect_proxy.py LOG PORTFILE
Listens on a free loopback port, writes the port to PORTFILE, and logs one
line per tunnel ("CONNECT host:port") to LOG. It tunnels only to loopback
addresses (127.0.0.0/8, ::1, localhost); anything else gets 403, so a test
can never reach another host through it. Plain proxied requests (GET
http://...) get 405.
"""
import ipaddress
import select
import socket
import socketserver
import sys
import threading

LOG, PORTFILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
            if len(data) > 65536:
                return
        head, rest = data.split(b"\r\n\r\n", 1)
        parts = head.split(b"\r\n")[0].decode("latin-1").split()
        if len(parts) < 2 or parts[0] != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        target = parts[1]
        host, _, port = target.rpartition(":")
        with lock, open(LOG, "a") as log:
            log.write(f"CONNECT {target}\n")
        if not loopback(host) or not port.isdigit():
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)
        socks = [conn, upstream]
        try:
            while True:
                readable, _, _ = select.select(socks, [], [], 60)
                if not readable:
                    return
                for s in readable:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    (upstream if s is conn else conn).sendall(chunk)
        except OSError:
            return
        finally:
            upstream.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
