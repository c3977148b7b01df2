"""python -m tools notebooks: prose + code + recorded outputs, deterministic, stale detection."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from textwrap import dedent

import nbformat
import pytest

from tools.notebooks import notebook_problems, write_notebooks

PNG = b"\x89PNG\r\n\x1a\nfake"
PAGES = {
    "zh": dedent(
        """\
        ---
        abstract: 摘要
        ---
        # 演示页面

        开头（不属于程序所在的小节）。

        ## 2.1 训练

        先准备数据：

        !!! note "提示"
            这是一条提示。

        ```python exec="demo"
        print("hello")  # 打印
        ```

        然后画图。

        ```python exec="demo"
        draw()
        ```
        """
    ),
    "en": dedent(
        """\
        # Demo page

        Opening words.

        ## 2.1 Training

        First the data:

        !!! note
            A note.

        ```python exec="demo"
        print("hello")  # print
        ```

        Then a plot.

        ```python exec="demo"
        draw()
        ```
        """
    ),
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for lang, text in PAGES.items():
        (tmp_path / "docs" / lang).mkdir(parents=True)
        (tmp_path / "docs" / lang / "demo.md").write_text(text, encoding="utf-8")
    recordings = tmp_path / "docs" / "assets" / "recordings" / "cpu"
    (recordings / "demo").mkdir(parents=True)
    (recordings / "demo" / "cell2-fig1.png").write_bytes(PNG)
    cells = [
        {"index": 1, "line": 15, "output": "hello\n", "figures": []},
        {"index": 2, "line": 21, "output": "", "figures": ["demo/cell2-fig1.png"]},
    ]
    (recordings / "demo.json").write_text(json.dumps({"schema": 1, "id": "demo", "cells": cells}), encoding="utf-8")
    return tmp_path


def notebook(root: Path, lang: str) -> nbformat.NotebookNode:
    return nbformat.read(root / "docs" / lang / "notebooks" / "demo.ipynb", as_version=4)


def test_notebook_holds_prose_code_and_recorded_outputs(root: Path) -> None:
    assert write_notebooks(root) == (2, 0, 0)
    nb = notebook(root, "zh")
    nbformat.validate(nb)
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code"]
    assert nb.cells[0].source.startswith("# 演示页面 · demo\n")
    assert nb.cells[1].source == "## 2.1 训练\n\n先准备数据：\n\n> **提示**\n> 这是一条提示。"
    assert nb.cells[2].source == 'print("hello")  # 打印'
    assert nb.cells[2].outputs == [{"output_type": "stream", "name": "stdout", "text": "hello\n"}]
    assert nb.cells[3].source == "然后画图。"
    figure = nb.cells[4].outputs[0]
    assert figure.output_type == "display_data"
    assert base64.b64decode(figure.data["image/png"]) == PNG


def test_english_notebook_uses_english_prose_and_comments(root: Path) -> None:
    write_notebooks(root)
    nb = notebook(root, "en")
    assert nb.cells[1].source == "## 2.1 Training\n\nFirst the data:\n\n> **Note**\n> A note."
    assert nb.cells[2].source == 'print("hello")  # print'


def test_generation_is_deterministic_and_atomic(root: Path) -> None:
    write_notebooks(root)
    first = (root / "docs" / "zh" / "notebooks" / "demo.ipynb").read_bytes()
    assert write_notebooks(root) == (0, 2, 0)
    assert (root / "docs" / "zh" / "notebooks" / "demo.ipynb").read_bytes() == first
    assert not list(root.rglob("*.tmp"))


def test_problems_name_missing_stale_and_orphaned_notebooks(root: Path) -> None:
    assert notebook_problems(root) == [
        "docs/zh/notebooks/demo.ipynb: missing; run `python -m tools notebooks`",
        "docs/en/notebooks/demo.ipynb: missing; run `python -m tools notebooks`",
    ]
    write_notebooks(root)
    assert notebook_problems(root) == []
    page = root / "docs" / "en" / "demo.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Then a plot.", "Then a figure."), encoding="utf-8")
    (root / "docs" / "zh" / "notebooks" / "gone.ipynb").write_text("{}", encoding="utf-8")
    assert notebook_problems(root) == [
        "docs/en/notebooks/demo.ipynb: out of date with its page or recording; run `python -m tools notebooks`",
        "docs/zh/notebooks/gone.ipynb: no program needs it; run `python -m tools notebooks` to remove it",
    ]
    assert write_notebooks(root) == (1, 1, 1)
    assert notebook_problems(root) == []


def test_missing_recording_gives_code_cells_without_outputs(root: Path) -> None:
    (root / "docs" / "assets" / "recordings" / "cpu" / "demo.json").unlink()
    write_notebooks(root)
    assert all(cell.outputs == [] for cell in notebook(root, "zh").cells if cell.cell_type == "code")
