# SPDX-License-Identifier: MIT
# A kernel.org stand-in: serves ROOT's files on 127.0.0.1, logs each request as
# "METHOD PATH RANGE", answers "Range: bytes=N-", and misbehaves on request (files in CTL):
# cut (a path: its next answer breaks off halfway), norange (Range ignored), slow (a second's
# wait before each answer).
import http.server, os, sys, time
root, log, ctl, portfile = sys.argv[1:5]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        rng = self.headers.get("Range")
        with open(log, "a") as f:
            f.write(f"GET {self.path} {rng.removeprefix('bytes=') if rng else '-'}\n")
        if os.path.exists(os.path.join(ctl, "slow")):
            time.sleep(1)
        path = os.path.join(root, self.path.lstrip("/"))
        if path.endswith("/"):
            path += "index.html"
        if ".." in self.path or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        start = 0
        if rng and not os.path.exists(os.path.join(ctl, "norange")):
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = os.path.join(ctl, "cut")
        if os.path.exists(cut) and open(cut).read().strip() == self.path:
            os.unlink(cut)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
