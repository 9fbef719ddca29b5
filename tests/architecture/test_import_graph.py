"""The folder tree is the architecture: imports between ``service/`` subpackages never loop, never run back
along the data's path (sources -> extraction -> state -> alerting -> delivery: a later stage may import an
earlier one, never the reverse), and only the CLI imports the daemon (the composition root is
``service/pipeline/``, below the daemon, history and the CLI). The imports are read with ``ast``, every
``import`` anywhere in a module (inside functions and ``TYPE_CHECKING`` blocks too), so nothing is run."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"
PATH = ("sources", "extraction", "state", "alerting", "delivery")
#: Subpackages that only the listed ones may import.
IMPORTED_ONLY_BY = {"daemon": frozenset({"cli"}), "cli": frozenset()}
#: Leaf subpackages: every stage may use them, so they import no other subpackage.
LEAVES = frozenset({"masking"})


@dataclass(frozen=True)
class Edge:
    """One import of another subpackage: ``importer`` (a subpackage) imports ``imported`` in ``file``."""

    importer: str
    imported: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"service/{self.file}:{self.line} ({self.importer}) imports service.{self.imported}"


def edges(root: Path) -> list[Edge]:
    """Every import, in a module of a subpackage of ``root``, of a module of another of its subpackages."""
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if len(relative.parts) < 2:  # service/__init__.py and the like belong to no subpackage
            continue
        importer = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                module = _absolute(node, (root.name, *relative.parts[:-1]))
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for imported in {_subpackage(name, root.name, packages) for name in names} - {None, importer}:
                found.append(Edge(importer, str(imported), relative.as_posix(), node.lineno))
    return found


def _absolute(node: ast.ImportFrom, package: tuple[str, ...]) -> str:
    """The absolute name of the module a (possibly relative) ``from`` import in ``package`` reads from."""
    base = package[: len(package) - node.level + 1] if node.level else ()
    return ".".join((*base, *([node.module] if node.module else [])))


def _subpackage(module: str, top: str, packages: set[str]) -> str | None:
    """The subpackage of ``top`` that ``module`` names (``from service import cli`` names ``cli`` too)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == top and parts[1] in packages else None


def violations(found: list[Edge]) -> list[str]:
    """Each edge that runs back along the path, imports a subpackage it may not, leaves a leaf, or loops."""
    kept = found
    graph: dict[str, set[str]] = {}
    for edge in kept:
        graph.setdefault(edge.importer, set()).add(edge.imported)
    problems = []
    for edge in kept:
        if edge.importer in PATH and edge.imported in PATH and PATH.index(edge.imported) > PATH.index(edge.importer):
            problems.append(f"backward along the path: {edge}")
        if edge.imported in IMPORTED_ONLY_BY and edge.importer not in IMPORTED_ONLY_BY[edge.imported]:
            problems.append(f"only {sorted(IMPORTED_ONLY_BY[edge.imported])} may import it: {edge}")
        if edge.importer in LEAVES:
            problems.append(f"a leaf imports another subpackage: {edge}")
        if _reaches(graph, edge.imported, edge.importer):
            problems.append(f"in a loop: {edge}")
    return problems


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for following in graph.get(todo.pop(), set()) - seen:
            if following == goal:
                return True
            seen.add(following)
            todo.append(following)
    return start == goal


@pytest.fixture(scope="module")
def service_edges() -> list[Edge]:
    return edges(SERVICE)


def test_service_subpackages_import_one_way_without_loops(service_edges: list[Edge]) -> None:
    assert violations(service_edges) == []


def _tree(root: Path, modules: dict[str, str]) -> Path:
    for name, source in modules.items():
        path = root / "service" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in (path.parent, root / "service"):
            (folder / "__init__.py").touch()
        path.write_text(source)
    return root / "service"


def test_a_loop_a_backward_import_and_an_import_of_the_daemon_are_each_reported(tmp_path: Path) -> None:
    service = _tree(tmp_path, {
        "history/backtest.py": "from service.daemon.pipeline import open_pipeline_store\n",
        "daemon/runner.py": "def run() -> None:\n    from service import history\n",
        "sources/poller.py": "import service.delivery.redact\n",
        "delivery/worker.py": "from service.sources.poller import poll\n",
        "state/tracker.py": "from service.extraction import extractor\nfrom .decision import decide\n",
        "state/report.py": "from ..alerting import engine\n",
        "alerting/engine.py": "",
        "extraction/extractor.py": "from service.rules.models import ItemSpec\n",
        "rules/models.py": "",
        "masking/urls.py": "from service.rules.models import ItemSpec\n",
    })
    found = violations(edges(service))
    assert found == [
        "in a loop: service/daemon/runner.py:2 (daemon) imports service.history",
        "in a loop: service/delivery/worker.py:1 (delivery) imports service.sources",
        "only ['cli'] may import it: service/history/backtest.py:1 (history) imports service.daemon",
        "in a loop: service/history/backtest.py:1 (history) imports service.daemon",
        "a leaf imports another subpackage: service/masking/urls.py:1 (masking) imports service.rules",
        "backward along the path: service/sources/poller.py:1 (sources) imports service.delivery",
        "in a loop: service/sources/poller.py:1 (sources) imports service.delivery",
        "backward along the path: service/state/report.py:1 (state) imports service.alerting",
    ]
