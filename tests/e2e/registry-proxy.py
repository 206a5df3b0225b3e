#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A proxy in front of a test registry, for tests/e2e/pull.sh (127.0.0.1 only).

  registry-proxy.py MODE PORTFILE UPSTREAM_PORT LOG [USER:PASS]

Listens on an ephemeral port of 127.0.0.1 (written to PORTFILE) and passes
requests to the registry on 127.0.0.1:UPSTREAM_PORT, logging each one
("GET /v2/... range=bytes=N-" or "range=-") to LOG.  MODE:
  cut      the first GET of each blob (without Range) gets its headers and
           half its body, then the connection is closed
  norange  the same, and Range headers are dropped on the way (the
           registry answers 200 instead of 206)
  bearer   token authentication as Docker Hub has it: /v2/ without
           "Authorization: Bearer <token>" is a 401 with a Bearer challenge
           naming /token here; /token hands out the token (to USER:PASS in
           Basic auth when given, else to anyone)
Environment, for tests/e2e/pull-https.sh: PROXY_TLS_CERT and PROXY_TLS_KEY
serve https (the realm is https then too); PROXY_UPSTREAM_CA reaches the
registry over https, checked against that CA; PROXY_REDIRECT_BLOBS=1 (with
bearer) answers a blob's GET with a 307 to /_cdn/... on "localhost" (another
host name for the client), where a request that carries an Authorization
header is refused with a 400, as storage behind signed URLs (S3) refuses
a second credential.
Ends by itself after 300 s.
"""
import base64
import http.client
import http.server
import os
import ssl
import sys
import threading

MODE, PORTFILE, UPSTREAM, LOG = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
CREDS = sys.argv[5] if len(sys.argv) > 5 else None
TLS_CERT, TLS_KEY = os.environ.get("PROXY_TLS_CERT"), os.environ.get("PROXY_TLS_KEY")
UP_CA = os.environ.get("PROXY_UPSTREAM_CA")
REDIRECT = os.environ.get("PROXY_REDIRECT_BLOBS") == "1"
SCHEME = "https" if TLS_CERT else "http"
TOKEN = "t0k3n-for-the-test"
cut_done = set()
lock = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate", "host"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self):
        with lock, open(LOG, "a") as f:
            f.write("%s %s range=%s\n" % (self.command, self.path,
                                           self.headers.get("Range", "-")))

    def answer(self, status, headers, body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def bearer(self):
        port = self.server.server_address[1]
        if self.path.startswith("/token"):
            if CREDS:
                want = "Basic " + base64.b64encode(CREDS.encode()).decode()
                if self.headers.get("Authorization") != want:
                    self.answer(401, [("Content-Type", "application/json")],
                                b'{"details":"incorrect username or password"}')
                    return True
            self.answer(200, [("Content-Type", "application/json")],
                        ('{"token":"%s","expires_in":300}' % TOKEN).encode())
            return True
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            chal = ('Bearer realm="%s://127.0.0.1:%d/token",service="nook-test"'
                    % (SCHEME, port))
            parts = self.path.split("/")
            if len(parts) > 4 and parts[1] == "v2":
                chal += ',scope="repository:%s:pull"' % "/".join(parts[2:-2])
            self.answer(401, [("WWW-Authenticate", chal),
                              ("Content-Type", "application/json")],
                        b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')
            return True
        return False

    def do_GET(self):
        self.log()
        if REDIRECT and self.path.startswith("/_cdn/"):
            if "Authorization" in self.headers:
                self.answer(400, [("Content-Type", "application/xml")],
                            b"<Error><Code>InvalidArgument</Code><Message>Only one auth "
                            b"mechanism allowed</Message></Error>")
                return
            self.path = self.path[5:].split("?")[0]
        elif MODE == "bearer" and self.bearer():
            return
        elif REDIRECT and self.command == "GET" and "/blobs/" in self.path:
            self.answer(307, [("Location", "%s://localhost:%d/_cdn%s?sig=x" % (
                SCHEME, self.server.server_address[1], self.path))])
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if MODE == "bearer":
            headers.pop("Authorization", None)
        if MODE == "norange":
            headers.pop("Range", None)
        if UP_CA:
            up = http.client.HTTPSConnection(
                "127.0.0.1", UPSTREAM, timeout=30,
                context=ssl.create_default_context(cafile=UP_CA))
        else:
            up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        up.request(self.command, self.path, headers=headers)
        resp = up.getresponse()
        body = resp.read() if self.command != "HEAD" else b""
        cut = False
        if (MODE in ("cut", "norange") and self.command == "GET" and "/blobs/" in self.path
                and "Range" not in self.headers and resp.status == 200 and len(body) > 1):
            with lock:
                cut = self.path not in cut_done
                cut_done.add(self.path)
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length",
                         resp.getheader("Content-Length", str(len(body)))
                         if self.command == "HEAD" else str(len(body)))
        self.end_headers()
        if cut:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)
        up.close()

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if TLS_CERT:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(TLS_CERT, TLS_KEY)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
