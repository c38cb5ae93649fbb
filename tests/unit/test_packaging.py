"""``pip install .`` ships every package: pyproject's package search finds each folder with an ``__init__.py``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_finds_every_package():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    listed = set(find_packages(str(ROOT), include=include))
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("bot", "flows", "webhooks")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"not found by [tool.setuptools.packages.find]: {sorted(found - listed)}"
