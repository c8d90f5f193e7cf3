"""Request bodies are bounded before they are read, on the real servers (issue 15, point 1)."""

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings

from atende_chat.asgi import application
from atende_chat.bodylimit import BODY_TOO_BIG
from attachments.errors import REQUEST_TOO_BIG
from tests.realtime.conftest import Daphne

pytestmark = pytest.mark.django_db(transaction=True)

BIG = 200 * 1024 * 1024
CHUNK = 64 * 1024
#: What the kernel's socket buffers on both sides may hold once the server stops reading.
SOCKET_BUFFERS = 16 * 1024 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def open_files(pid: int) -> list[str]:
    names = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:
            continue
    return names


class Upload:
    """One raw HTTP/1.1 request: headers at once, then a body streamed by a thread until the server stops it."""

    def __init__(self, port: int, path: str, headers: dict[str, str], body_size: int, *, chunked: bool) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.chunked = chunked
        self.body_size = body_size
        self.sent = 0
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.sock.sendall(head.encode() + b"\r\n")
        self.sender = threading.Thread(target=self._send, daemon=True)
        self.sender.start()

    def _send(self) -> None:
        data = b"x" * CHUNK
        frame = f"{CHUNK:x}\r\n".encode() + data + b"\r\n" if self.chunked else data
        try:
            while self.sent < self.body_size:
                self.sock.sendall(frame)
                self.sent += CHUNK
        except OSError:
            return  # the server closed the connection

    def response(self) -> bytes:
        """Everything the server answers, up to its close."""
        received = b""
        while True:
            try:
                part = self.sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            received += part
            if b"\r\n\r\n" in received:
                head, _, body = received.partition(b"\r\n\r\n")
                length = [int(line[15:]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
        return received

    def close(self) -> None:
        self.sock.close()
        self.sender.join(timeout=30)


@pytest.fixture
def server(tmp_path):
    """A real daphne with a temporary directory of its own, to see any temporary file it makes."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    daphne = Daphne(env={"TMPDIR": str(spool)})
    daphne.start()
    daphne.spool = spool
    # Warm up (Django loaded, first request served) so that memory is measured from a steady state.
    with socket.create_connection(("127.0.0.1", daphne.port)) as warm:
        warm.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while warm.recv(65536):
            pass
    yield daphne
    daphne.stop()
    daphne.log.close()


def refuse(server: Daphne, path: str, *, chunked: bool) -> tuple[bytes, Upload, int]:
    headers = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(BIG)}
    before = rss_kb(server.process.pid)
    files_before = set(open_files(server.process.pid))
    upload = Upload(server.port, path, headers, BIG, chunked=chunked)
    peak = before
    try:
        answer = upload.response()
        # No temporary file, not even an unnamed one (shown as "/tmp/#123 (deleted)").
        for name in set(open_files(server.process.pid)) - files_before:
            assert str(server.spool) not in name and "(deleted)" not in name, name
        peak = max(peak, rss_kb(server.process.pid))
    finally:
        upload.close()
    return answer, upload, peak - before


def test_a_body_announced_too_big_is_refused_before_a_byte_is_read(server):
    """Threat: anyone, even anonymous, makes the server take in hundreds of megabytes per request
    (memory, temporary disk) just by sending them."""
    started = time.monotonic()
    answer, upload, grown_kb = refuse(server, "/accounts/login/", chunked=False)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert BODY_TOO_BIG.format(size="256 KB").encode() in answer
    assert time.monotonic() - started < 10
    # The server stopped reading at once: only what the socket buffers took ever left the client.
    assert upload.sent < SOCKET_BUFFERS
    assert grown_kb < 10 * 1024
    assert list(server.spool.iterdir()) == []


def test_an_upload_route_has_the_limit_of_its_files(server, person):
    limit = settings.ATTACHMENT_REQUEST_MAX_BYTES
    answer, _, _ = refuse(server, "/chat/novo/", chunked=False)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert REQUEST_TOO_BIG.format(limit=settings.ATTACHMENT_MAX_FILES).encode() in answer
    # Within the limit the request reaches Django (which refuses it for its missing CSRF token).
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        body = b"x" * (limit - 1)
        sock.sendall(
            b"POST /chat/novo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        )
        answer = b""
        while part := sock.recv(65536):
            answer += part
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]


def test_a_chunked_body_is_counted_and_cut_at_the_limit_with_memory_and_disk_flat(server):
    """Threat: without a Content-Length the server cannot know the size in advance and would spool
    the whole stream to a temporary file before any check."""
    answer, upload, grown_kb = refuse(server, "/accounts/login/", chunked=True)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"Envio grande demais" in answer
    assert settings.REQUEST_MAX_BYTES < upload.sent < settings.REQUEST_MAX_BYTES + SOCKET_BUFFERS
    assert grown_kb < 10 * 1024
    assert list(server.spool.iterdir()) == []
    # The server is still there for everybody else.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 200 ")


def test_make_run_serves_through_the_same_limit(tmp_path):
    """`make run` is `manage.py runserver`, which is daphne's (daphne in INSTALLED_APPS)."""
    server = Daphne(env={"TMPDIR": str(tmp_path)})
    server.spool = tmp_path
    server.command = lambda: [
        sys.executable,
        "manage.py",
        "runserver",
        "--noreload",
        f"127.0.0.1:{server.port}",
    ]
    server.start()
    try:
        answer, upload, _ = refuse(server, "/accounts/login/", chunked=False)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert upload.sent < SOCKET_BUFFERS
        answer, upload, _ = refuse(server, "/accounts/login/", chunked=True)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert upload.sent < settings.REQUEST_MAX_BYTES + SOCKET_BUFFERS
    finally:
        server.stop()
        server.log.close()


def test_the_asgi_middleware_stops_taking_a_stream_at_the_limit():
    """Any ASGI server that streams bodies to the application gets the same bound from asgi.py."""
    pulled = 0
    sent = []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/accounts/login/",
        "raw_path": b"/accounts/login/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
    }
    async_to_sync(application)(scope, receive, send)
    assert pulled == settings.REQUEST_MAX_BYTES // CHUNK + 1
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413
    assert "Envio grande demais" in sent[1]["body"].decode()


def test_the_limits_come_from_the_settings_that_enforce_them(settings):
    from atende_chat.bodylimit import body_limit_for

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_MAX_BYTES
    assert body_limit_for("/accounts/login/") == (settings.REQUEST_MAX_BYTES, False)
    assert body_limit_for("/chat/atendimentos/5/") == (settings.ATTACHMENT_REQUEST_MAX_BYTES, True)
    assert body_limit_for("/admin/tickets/ticket/5/change/") == (settings.ATTACHMENT_REQUEST_MAX_BYTES, True)
    assert body_limit_for("/nao-existe/") == (settings.REQUEST_MAX_BYTES, False)
    assert settings.ATTACHMENT_REQUEST_MAX_BYTES >= settings.ATTACHMENT_MAX_FILES * settings.ATTACHMENT_MAX_BYTES
