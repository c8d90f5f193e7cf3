"""What every measurement shares: the sizes, the running stack, the seeded plan, and how results are kept."""

import asyncio
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from .config import Sizes
from .stack import Stack


class NotAvailable(Exception):
    """The product piece this measurement needs is not there (yet): a missing route or a refused socket."""


@dataclass
class Section:
    key: str
    title: str
    status: str = "ok"  # ok | not available | failed
    figures: dict[str, object] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    ratios: dict[str, float | None] = field(default_factory=dict)
    note: str = ""
    #: Over several runs (bench/combine.py): each figure's lowest and highest value; the figure is the median.
    spread: dict[str, tuple[float, float]] = field(default_factory=dict)

    def put(self, name: str, value: object, unit: str = "") -> None:
        self.figures[name] = value
        self.units[name] = unit


@dataclass
class Ctx:
    sizes: Sizes
    smoke: bool
    stack: Stack
    plan: dict
    env: dict[str, str]
    out_dir: Path
    layer: object = None
    #: The load client's count of channels_redis "over capacity" lines (run.DropCounter).
    drop_counter: object = None
    only: set[str] = field(default_factory=set)
    sections: dict[str, Section] = field(default_factory=dict)
    children: list[asyncio.subprocess.Process] = field(default_factory=list)

    def port(self, i: int) -> int:
        """The i-th client connection's port: server i round-robin, or nginx (--through-nginx)."""
        return self.stack.client_port(i)

    def server_port(self, i: int) -> int:
        """Server i itself, even behind nginx: for what measures one process (its restart, its sockets)."""
        return self.stack.ports[i % len(self.stack.ports)]

    async def spawn(self, *argv: str, log_name: str, stdin=None, stdout=None) -> asyncio.subprocess.Process:
        """A child in its own process group, its stderr in the run's log folder (drops are counted there)."""
        log = await asyncio.to_thread(open, self.out_dir / "logs" / log_name, "ab")
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                env=self.env,
                stdin=stdin,
                stdout=stdout,
                stderr=log,
                start_new_session=True,
            )
        finally:
            log.close()
        self.children.append(proc)
        return proc

    async def reap(self, proc: asyncio.subprocess.Process, grace: float = 10.0) -> None:
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), grace)
            except (ProcessLookupError, TimeoutError):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                await proc.wait()
        if proc in self.children:
            self.children.remove(proc)

    def kill_children(self) -> None:
        """Last resort, synchronous: used when the run is leaving on an error."""
        for proc in self.children:
            if proc.returncode is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.children.clear()
