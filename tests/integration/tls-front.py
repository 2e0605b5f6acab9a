#!/usr/bin/env python3
# A TLS front for an XML-RPC hub that requires a client certificate signed by CAFILE:
# proxy.py UPSTREAM_URL CERT KEY CAFILE PORTFILE
import http.server, ssl, sys, urllib.request

upstream, certfile, keyfile, cafile, portfile = sys.argv[1:]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        req = urllib.request.Request(upstream, data=body, headers={"Content-Type": "text/xml"})
        with opener.open(req) as r:
            data = r.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(certfile, keyfile)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_verify_locations(cafile)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
