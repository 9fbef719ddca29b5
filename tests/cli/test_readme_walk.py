"""README's "first alert in five minutes" works as written: its shell blocks run, in order, in an empty
folder, and say what README says they say.

The blocks are taken from README.md itself, so an edit that breaks the walk fails here. Two changes are
made for the test's sake only: the feed's port is a free one (8765 may be taken on a shared machine), and
the step that starts the file server waits until it answers before the next command runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]
WALK_HEADING = "## Your first alert in five minutes"
WAIT_FOR_SERVER = (
    "\nfor _ in $(seq 100); do python3 -c \"import urllib.request as u; u.urlopen('http://127.0.0.1:{port}/feed.xml')\""
    " 2>/dev/null && break; sleep 0.1; done\n"
)


def walk_blocks() -> list[str]:
    """The ``sh`` blocks of README's five-minute walk, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    walk = readme.split(WALK_HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", walk, flags=re.DOTALL)


def test_the_readme_walk_runs_as_written_and_ends_with_one_alert(tmp_path: Path) -> None:
    blocks = walk_blocks()
    runnable = [block for block in blocks if "vigil run --rules" not in block]  # the daemon runs forever
    assert len(runnable) == 3, "README's walk changed: update this test with it"
    port = str(free_port())
    script = "\n".join(runnable).replace("8765", port)
    server_line = next(line for line in script.splitlines() if "http.server" in line)
    script = script.replace(server_line, server_line + WAIT_FOR_SERVER.format(port=port))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # `vigil` from this venv
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = done.stdout
    assert "VETOED    rail-strike -> called_off    by hedge 'could'" in shown
    assert "ACCEPTED  rail-strike -> called_off" in shown
    assert re.search(r"rail-strike\s.*called_off", shown), shown
    assert shown.count("strike-news") == 1, shown  # the hedged story raised nothing
    assert (tmp_path / "my-watch" / "watch.db").exists()
