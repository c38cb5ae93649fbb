"""flows/ stays pure: it imports nothing from the I/O frameworks (STYLE.md)."""

import ast
import pathlib

import pytest

FORBIDDEN = {
    "flask",
    "sqlalchemy",
    "rq",
    "redis",
    "twilio",
    "telegram",
    "requests",
    "httpx",
    "bot",
    "webhooks",
    "time",
    "os",
    "random",
    "socket",
}
FLOW_FILES = sorted(pathlib.Path(__file__).resolve().parents[2].joinpath("flows").glob("*.py"))


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.name)
def test_flow_module_imports_nothing_impure(path):
    tree = ast.parse(path.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN, f"{path.name} imports {imported & FORBIDDEN}"


def test_flows_do_not_read_the_clock():
    for path in FLOW_FILES:
        source = path.read_text()
        assert ".now(" not in source and "utcnow" not in source and "today(" not in source, path.name


def test_there_are_flow_files():
    assert len(FLOW_FILES) >= 6
