#!/usr/bin/python3
"""notify_receivers.py KIND OUT: the receivers test_notifiers talks to.

Prints the port it listens on (127.0.0.1), then serves until killed. Every
message received is appended to OUT as one JSON line.

KIND: smtp        an SMTP server (aiosmtpd, Debian python3-aiosmtpd)
      smtp-auth   the same, requiring AUTH as mailer / s3cret-pw (no TLS)
      http-ok     answers 200
      http-flaky  answers 500 twice, then 200
      http-400    answers 400
      http-hang   never answers
"""
import json
import logging
import socket
import sys
import time
import warnings

warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS: wanted here
logging.disable(logging.CRITICAL)
kind, out = sys.argv[1], sys.argv[2]


def record(obj):
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps(obj) + "\n")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            record({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                    "data": envelope.content.decode("utf-8", "replace"),
                    "authenticated": bool(session.authenticated)})
            return "250 OK"

    extra = {}
    if kind == "smtp-auth":
        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret-pw"
            return AuthResult(success=ok, handled=False)
        extra = dict(authenticator=check, auth_required=True, auth_require_tls=False)
    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **extra)
    controller.start()
    print(port, flush=True)
    while True:
        time.sleep(3600)


def http():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    seen = {"n": 0}

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            seen["n"] += 1
            record({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body, "n": seen["n"]})
            if kind == "http-hang":
                time.sleep(3600)
                return
            code = 200
            if kind == "http-flaky" and seen["n"] <= 2:
                code = 500
            if kind == "http-400":
                code = 400
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    print(server.server_address[1], flush=True)
    server.serve_forever()


smtp() if kind.startswith("smtp") else http()
