"""Debian's nginx on loopback, with the repository's own server configuration (deploy/nginx/atende_chat.conf).

The tests write only what docker-compose's deploy/nginx/nginx.conf writes around that file: the
upstream (here, daphne processes on free ports) and the static root.
"""

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "atende_chat.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """A foreground nginx with its own prefix, pid, logs and temporary paths."""

    def __init__(self, upstream_ports: list[int] | int, *, static_root: Path | None = None) -> None:
        ports = [upstream_ports] if isinstance(upstream_ports, int) else list(upstream_ports)
        self.dir = Path(tempfile.mkdtemp(prefix="nginx-"))
        self.port = free_port()
        (self.dir / "logs").mkdir()
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" for port in ports)
        (self.dir / "nginx.conf").write_text(
            f"""
daemon off;
master_process off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    upstream atende_chat {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        set $atende_static_root {static_root or self.dir / "static"};
        include {CONF};
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(self.error_log()) from None
                time.sleep(0.1)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def error_log(self) -> str:
        path = self.dir / "logs" / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
