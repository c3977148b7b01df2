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


def fake_recording(root: Path, snippet_id: str, outputs: list[str], *,
                   figures: dict[int, list[bytes]] | None = None, profile: str = "cpu",
                   page: str = "docs/zh/p.md", device: str = "CPU: Test (2 threads)") -> dict:
    """Write a valid recording of `snippet_id` (fresh for the program its pages hold now)."""
    from tools.programs import code_hash, collect_programs, data_files
    from tools.recordings import (SCHEMA, current_env, data_fingerprint, figure_name,
                                  recordings_dir, write_recording)

    program = collect_programs(root).get(snippet_id)
    blobs: dict[str, bytes] = {}
    cells = []
    for index, output in enumerate(outputs, start=1):
        names = []
        for number, data in enumerate((figures or {}).get(index, []), start=1):
            name = figure_name(index, number, data)
            blobs[name] = data
            names.append(name)
        cells.append({"index": index, "page": page, "line": index, "output": output,
                      "figures": names})
    recording = {
        "schema": SCHEMA, "id": snippet_id, "profile": profile, "status": "ok",
        "fingerprint": {"code": code_hash(program) if program else "0" * 64,
                        "data": data_fingerprint(root, data_files(root, program)) if program else {}},
        "env": current_env(profile),
        "provenance": {"device": device, "python": "3.11.7", "torch": "2.13.0+cpu",
                       "transformers": "5.23.0", "threads": 2, "duration_s": 1.5,
                       "date": "2026-11-23T05:00:00+00:00", "commit": "abc1234",
                       "pinned_env": {}},
        "cells": cells,
    }
    write_recording(recordings_dir(root, profile), snippet_id, recording, figures=blobs)
    return recording
