"""The production shape as local subprocesses: N ASGI servers on loopback ports and a Celery worker.

Each process runs in its own process group, so stopping it also stops anything it spawned;
`Stack` stops them all when leaving its `with` block, whatever happened inside.
"""

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .config import PYTHON, ROOT


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident set size of one process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)
            self.popen.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait(timeout=timeout)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def http_ok(port: int, path: str = "/bench/bare/", timeout: float = 2.0) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path)
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


class Stack:
    """N ASGI servers (daphne, or uvicorn) serving bench.asgi_bench:application, and one Celery worker.

    `through_nginx`: Debian's nginx with the repository's configuration (deploy/nginx/atende_chat.conf,
    started as tests/support/nginx.py starts it) in front of the servers, as in production; the load
    client then reaches every server through it (`client_port`), round-robin.
    """

    def __init__(
        self, *, servers: int, env: dict[str, str], log_dir: Path, server: str = "daphne", through_nginx: bool = False
    ) -> None:
        self.env, self.log_dir, self.server = env, log_dir, server
        self.through_nginx = through_nginx
        self.nginx = None
        self.ports = [free_port() for _ in range(servers)]
        self.servers: list[Proc] = [self._server_proc(i) for i in range(servers)]
        self.worker = Proc(
            "worker",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "atende_chat",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-{os.getpid()}@%h",
            ],
            env,
            log_dir / "worker.log",
        )
        self.extra: list[Proc] = []

    def _server_proc(self, i: int) -> Proc:
        port = str(self.ports[i])
        if self.server == "uvicorn":
            # uvloop and httptools (uvicorn[standard]); one process per port, like the daphne shape.
            argv = [PYTHON, "-m", "uvicorn", "--host", "127.0.0.1", "--port", port, "--lifespan", "off"]
            argv += ["--no-access-log", "--log-level", "warning", "bench.asgi_bench:application"]
        else:
            argv = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", port, "bench.asgi_bench:application"]
        return Proc(f"server{i}", argv, self.env, self.log_dir / f"server{i}.log")

    def __enter__(self) -> "Stack":
        try:
            for server in self.servers:
                server.start()
            self.worker.start()
            for i in range(len(self.servers)):
                self.wait_server(i)
            self.wait_worker()
            if self.through_nginx:
                from tests.support.nginx import Nginx

                self.nginx = Nginx(self.ports)
        except BaseException:
            self.stop_all()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()

    def stop_all(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
            self.nginx = None
        for proc in [*self.extra, *self.servers, self.worker]:
            proc.stop()

    def client_port(self, i: int) -> int:
        """Where the load client connects for its i-th socket or request: nginx, or server i (round-robin)."""
        return self.nginx.port if self.nginx is not None else self.ports[i % len(self.ports)]

    def wait_server(self, i: int, timeout: float = 60.0) -> float:
        """Seconds until server i answers the bare view."""
        start = time.monotonic()
        server = self.servers[i]
        while time.monotonic() - start < timeout:
            if not server.alive():
                raise RuntimeError(f"{server.name} exited:\n{server.log_tail()}")
            if http_ok(self.ports[i]):
                return time.monotonic() - start
            time.sleep(0.1)
        raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s:\n{server.log_tail()}")

    def wait_worker(self, timeout: float = 60.0) -> None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if not self.worker.alive():
                raise RuntimeError(f"worker exited:\n{self.worker.log_tail()}")
            if "ready." in self.worker.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout:.0f} s:\n{self.worker.log_tail()}")

    def restart_server(self, i: int, sig: int = signal.SIGTERM) -> tuple[float, float]:
        """Stop server i and start it again on the same port: (seconds to stop, seconds until it answers)."""
        start = time.monotonic()
        self.servers[i].stop(sig=sig)
        stopped = time.monotonic() - start
        self.servers[i] = self._server_proc(i)
        self.servers[i].start()
        return stopped, self.wait_server(i)

    def restart_all(self) -> None:
        """Fresh server processes: a memory measurement must not inherit the heap an earlier one grew."""
        for i in range(len(self.servers)):
            self.restart_server(i)

    def server_cpu(self) -> float:
        return sum(cpu_seconds(server.pid) for server in self.servers)

    def server_rss(self) -> int:
        return sum(rss_bytes(server.pid) for server in self.servers)

    def logs(self) -> list[Path]:
        return [proc.log_path for proc in [*self.servers, self.worker, *self.extra]]
