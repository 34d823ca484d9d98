#!/usr/bin/env python3
"""The old site's uploads for the picture bench: every GET answers, after DELAY_MS (a site across the internet), the
JPEG at PICTURE with the request's path written into a comment segment, so each URL is a picture of its own (the media
library deduplicates by content).

usage: picture_site.py PORT DELAY_MS PICTURE
"""
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, DELAY, PICTURE = int(sys.argv[1]), int(sys.argv[2]) / 1000, open(sys.argv[3], "rb").read()


class Uploads(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(DELAY)
        comment = self.path.encode()
        body = PICTURE[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + PICTURE[2:]
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Uploads).serve_forever()
