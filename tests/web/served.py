"""A daemon serving HTTP on loopback for the web tests: started like users start it, found by its log."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.pipeline.harness import daemon_command
from tests.support.receivers import poll

START_DEADLINE = 60.0
#: The daemon's "serving HTTP on HOST:PORT" line, in text or JSON log format.
_SERVING = re.compile(r"serving HTTP on \S+:(\d+)")


@dataclass
class ServedDaemon:
    """A ``vigil run --http`` process and how to reach it."""

    process: subprocess.Popen[bytes]
    log: Path
    base_url: str

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        """GET ``path`` on the daemon."""
        return httpx.get(self.base_url + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """Any request to ``path`` on the daemon."""
        return httpx.request(method, self.base_url + path, timeout=10, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        """Everything the daemon logged so far."""
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, and the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def start_served(
    command: Sequence[str], log: Path, env: Mapping[str, str], *, readiness: str = "/readyz"
) -> ServedDaemon:
    """Run ``command`` (a ``vigil run`` with ``--http 127.0.0.1:0`` or VIGIL_HTTP) and wait until it is ready.

    Port 0 lets the kernel pick a free port with no race; the daemon logs the port it bound.
    """
    with log.open("ab") as out:
        process = subprocess.Popen(list(command), stdout=out, stderr=out, env=dict(env))
    try:
        port = poll(lambda: _logged_ports(log, process), lambda _: True, START_DEADLINE, "HTTP port in the log")
        served = ServedDaemon(process, log, f"http://127.0.0.1:{port}")
        poll(lambda: _statuses(served, readiness), lambda status: status == 200, START_DEADLINE, "ready daemon")
    except BaseException:
        process.kill()
        process.wait()
        raise
    return served


def vigil_command(rules: Path, *extra: str) -> list[str]:
    """``vigil run`` as the pipeline tests start it, serving HTTP on a port the kernel picks."""
    return daemon_command(rules, "--http", "127.0.0.1:0", *extra)


def _logged_ports(log: Path, process: subprocess.Popen[bytes]) -> list[int]:
    if process.poll() is not None:
        raise RuntimeError(f"daemon exited with {process.returncode}:\n{log.read_text(errors='replace')}")
    return [int(port) for port in _SERVING.findall(log.read_text(errors="replace"))][-1:]


def _statuses(served: ServedDaemon, path: str) -> list[int]:
    try:
        return [served.get(path).status_code]
    except httpx.TransportError:
        return []
