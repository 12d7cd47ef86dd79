"""A real HTTP server on 127.0.0.1 for download tests: it serves bytes the test builds, and misbehaves on request."""

import hashlib
import http.server
import re
import socket
import struct
import threading
import time

#: The Last-Modified date of every file served.
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"


class FileServer:
    """Serves ``files`` (``{name: bytes}``) at ``url(name)`` from a thread, until the ``with`` block ends.

    Each answer carries an ``ETag`` (the body's SHA-256) and ``Last-Modified``; a request whose
    ``If-None-Match`` names the current ETag is answered 304. ``types`` (``{name: content type}``) sets a
    ``Content-Type`` header; ``redirects`` (``{name: other name}``) answers 302 to the other name.

    Misbehaviour, set by the test before the request it concerns:
    ``ranges`` False ignores Range headers (answers 200 with the whole file);
    ``failures`` lists status codes to answer, one per request, before serving anything;
    ``resets`` counts requests to answer by resetting the connection (TCP RST) before any byte;
    ``cuts`` lists byte counts: each answer sends its full headers, then only that many bytes, and hangs up;
    ``silences`` lists seconds: each answer sends its full headers (and its ``cuts`` bytes, else none), then
    nothing for that long, then hangs up;
    ``stalls`` lists seconds to stay silent, one per request, before answering;
    ``trickle`` (seconds) sends the body one byte at a time, that long apart.
    ``requests`` records ``(name, Range header)`` per request, ``conditional`` the ``If-None-Match`` headers;
    ``sent`` counts body bytes written.
    """

    def __init__(self, files):
        self.files = dict(files)
        self.types, self.redirects = {}, {}
        self.ranges = True
        self.resets = 0
        self.trickle = None
        self.failures, self.cuts, self.silences, self.stalls, self.requests = [], [], [], [], []
        self.conditional = []
        self.sent = 0
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    def url(self, name):
        return f"http://127.0.0.1:{self._server.server_address[1]}/{name}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, handler):
        name = handler.path.lstrip("/")
        self.requests.append((name, handler.headers.get("Range")))
        self.conditional.append(handler.headers.get("If-None-Match"))
        if self.resets:
            self.resets -= 1
            _reset(handler)
            return
        if self.stalls:
            time.sleep(self.stalls.pop(0))
        if self.failures:
            handler.send_error(self.failures.pop(0))
            return
        if name in self.redirects:
            handler.send_response(302)
            handler.send_header("Location", "/" + self.redirects[name])
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if name not in self.files:
            handler.send_error(404)
            return
        body, start = self.files[name], 0
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        wanted = re.fullmatch(r"bytes=(\d+)-", handler.headers.get("Range") or "")
        if self.ranges and wanted:
            start = int(wanted.group(1))
            if start >= len(body):
                handler.send_response(416)
                handler.send_header("Content-Range", f"bytes */{len(body)}")
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            handler.send_response(200)
        payload = body[start:]
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", LAST_MODIFIED)
        if name in self.types:
            handler.send_header("Content-Type", self.types[name])
        handler.end_headers()
        silence = self.silences.pop(0) if self.silences else None
        if self.cuts or silence is not None:
            payload = payload[: self.cuts.pop(0) if self.cuts else 0]
            handler.close_connection = True
        for piece in _pieces(payload, self.trickle):
            self.sent += len(piece)  # counted first: the client may have read it all before write() returns
            try:
                handler.wfile.write(piece)
                handler.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client refused the answer and hung up
                self.sent -= len(piece)
                return
        if silence is not None:
            time.sleep(silence)


def _pieces(payload, trickle):
    """The whole payload at once, or one byte at a time ``trickle`` seconds apart."""
    if trickle is None:
        yield payload
        return
    for offset in range(len(payload)):
        yield payload[offset : offset + 1]
        time.sleep(trickle)


def _reset(handler):
    """Abort the connection: SO_LINGER 0 makes close() send a TCP RST instead of a FIN."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that hangs up or speaks TLS to this plain server is what some tests do: no traceback."""


def _handler_for(server):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            server.answer(self)

        def log_message(self, *args):
            pass

    return Handler


def closed_port_url(name="corpus.txt"):
    """A loopback URL where nothing listens: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"
