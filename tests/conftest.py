"""Shared fixtures: build small repository trees in tmp_path, call the tools CLI in-process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest

from tools.__main__ import main as tools_main


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """make_repo({"docs/zh/a.md": "...", ...}) writes the files (str is dedented) under tmp_path."""

    def make(files: dict[str, str | bytes]) -> Path:
        for rel, content in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(dedent(content), encoding="utf-8")
        return tmp_path

    return make


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def tools_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """tools_cli(root, "check") runs `python -m tools check --root ROOT` in this process."""

    def call(root: Path, command: str, *args: str) -> CliResult:
        code = tools_main([command, "--root", str(root), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return call
