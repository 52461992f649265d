"""Layout rules: model/ never reaches amaranth, hdl/ never reaches torch, and trnn's modules
import each other without a cycle. Imports are read from the source (absolute and relative,
at module level and inside functions), so a lazy import counts as much as a top-level one."""

import ast
import tomllib
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def package_dirs(root: Path) -> dict[str, Path]:
    """Package name → folder, from pyproject.toml's ``package-dir``."""
    cfg = tomllib.loads((root / "pyproject.toml").read_text())
    return {pkg: root / d for pkg, d in cfg["tool"]["setuptools"]["package-dir"].items()}


def module_files(root: Path) -> dict[str, Path]:
    """Every trnn module's dotted name → its file."""
    out = {}
    for pkg, folder in package_dirs(root).items():
        for f in folder.glob("*.py"):
            out[pkg if f.stem == "__init__" else f"{pkg}.{f.stem}"] = f
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules ``path`` (module ``name``) imports; relative imports resolved, and
    ``from P import x`` read as ``P.x`` when that is a module of trnn."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in known)
    return out


def import_graph(root: Path) -> nx.DiGraph:
    """Edges module → imported module (trnn's modules and the top-level names of others)."""
    files = module_files(root)
    g = nx.DiGraph()
    for name, path in files.items():
        g.add_node(name)
        for mod in imports_of(name, path, set(files)):
            # a third-party module by its top-level name; trnn's own by their full name
            target = mod if mod.split(".")[0] == "trnn" else mod.split(".")[0]
            while target not in files and target.startswith("trnn.") and "." in target:
                target = target.rpartition(".")[0]     # trnn.x.Name → trnn.x
            g.add_edge(name, target)
    return g


def reaches(g: nx.DiGraph, package: str, banned: str) -> list[str]:
    """The modules of ``package`` from which ``banned`` is reachable by imports."""
    return sorted(n for n in g if (n == package or n.startswith(package + "."))
                  and banned in nx.descendants(g, n))


def cycles(g: nx.DiGraph) -> list[list[str]]:
    """Strongly connected groups of trnn's modules that import each other (a cycle)."""
    own = g.subgraph(n for n in g if n.startswith("trnn"))
    return [sorted(c) for c in nx.strongly_connected_components(own) if len(c) > 1]


@pytest.mark.parametrize("package, banned", [("trnn.model", "amaranth"), ("trnn.hdl", "torch")])
def test_no_forbidden_imports(package, banned):
    g = import_graph(ROOT)
    assert any(n.startswith(package) for n in g)
    assert reaches(g, package, banned) == []


def test_no_import_cycle():
    assert cycles(import_graph(ROOT)) == []


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\npackage-dir = { "trnn" = "cli", "trnn.model" = "model", '
        '"trnn.hdl" = "hdl" }\n')
    for rel, text in {"cli/__init__.py": "", "model/__init__.py": "",
                      "hdl/__init__.py": "", **files}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_checker_catches_a_relative_import_into_hdl(tmp_path):
    root = _plant(tmp_path, {"model/spec.py": "def f():\n    from ..hdl import core\n",
                             "hdl/core.py": "from amaranth.hdl import Signal\n"})
    assert reaches(import_graph(root), "trnn.model", "amaranth") == ["trnn.model.spec"]


def test_checker_catches_a_cycle_and_direct_imports(tmp_path):
    root = _plant(tmp_path, {"cli/a.py": "from .b import x\n", "cli/b.py": "from . import a\n",
                             "hdl/x.py": "from torch import nn\n"})
    g = import_graph(root)
    assert cycles(g) == [["trnn.a", "trnn.b"]]
    assert reaches(g, "trnn.hdl", "torch") == ["trnn.hdl.x"]
