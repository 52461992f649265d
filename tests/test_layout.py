"""Layout rules of the design card: model/ never imports amaranth, hdl/ never imports torch."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module.split(".")[0])
    return mods


@pytest.mark.parametrize("folder, banned", [("model", "amaranth"), ("hdl", "torch")])
def test_no_forbidden_imports(folder, banned):
    files = sorted((ROOT / folder).glob("**/*.py"))
    assert files
    offenders = [f.name for f in files if banned in imported_modules(f)]
    assert offenders == []


def test_checker_sees_imports(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("import amaranth.hdl\nfrom torch import nn\n")
    assert {"amaranth", "torch"} <= imported_modules(f)
