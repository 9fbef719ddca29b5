"""Lease owners: a name for this process, and whether the process behind a name on this machine is dead.

A daemon killed while holding a lease (mid-poll, mid-send) used to block that source or delivery until
the lease expired, 30-45 s with the defaults, even after it was restarted at once. An owner name
carries the host, the PID namespace and the PID, so a daemon on the same machine can see that the
holder is gone and take the lease over straight away. Holders on other machines or in other PID
namespaces (containers) cannot be checked and keep their lease until it expires. A PID that was
reused by another process reads as alive, which only falls back to waiting for the expiry.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

_UNKNOWN = "-"


def process_owner() -> str:
    """This process's name in leases: ``host:pid-namespace:pid:random``."""
    return f"{socket.gethostname()}:{_pid_namespace()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def is_dead_local_owner(owner: str) -> bool:
    """True only when ``owner`` names a process of this host and PID namespace that no longer runs."""
    parts = owner.rsplit(":", 3)
    if len(parts) != 4 or not parts[2].isdigit():
        return False  # an older or foreign owner name: nothing to check it against
    host, namespace, pid, _ = parts
    if host != socket.gethostname() or namespace == _UNKNOWN or namespace != _pid_namespace():
        return False
    return int(pid) != os.getpid() and not _running(int(pid))


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:  # no /proc (macOS): liveness cannot be told apart from PID reuse across machines
        return _UNKNOWN


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: it exists
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")  # a zombie is dead, only not yet reaped by its parent
