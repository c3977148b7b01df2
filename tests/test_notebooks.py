"""Notebooks (downloads and notebook pages) and the generated site files: prose + code + recorded
outputs, deterministic, only rewritten when they change."""

from __future__ import annotations

import base64
from pathlib import Path
from textwrap import dedent

import nbformat
import pytest

from tests.conftest import fake_recording
from tools.site.files import expected_site_files, write_site_files

# A real 1x1 PNG: figures are checked to be PNG images (tools.recordings.png_problem).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
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

        ```python {exec="demo"}
        print("hello")  # 打印
        ```

        然后画图。

        ```python {exec="demo"}
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

        ```python {exec="demo"}
        print("hello")  # print
        ```

        Then a plot.

        ```python {exec="demo"}
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
    fake_recording(tmp_path, "demo", ["hello\n", ""], figures={2: [PNG]}, page="docs/zh/demo.md")
    return tmp_path


GENERATED = "docs/assets/generated"


def notebook(root: Path, lang: str, *, page: bool = False) -> nbformat.NotebookNode:
    path = (
        root / "docs" / lang / "notebooks" / "demo.ipynb"
        if page
        else root / GENERATED / "downloads" / f"demo.{lang}.ipynb"
    )
    return nbformat.read(path, as_version=4)


def test_notebook_holds_prose_code_and_recorded_outputs(root: Path) -> None:
    written, unchanged, removed = write_site_files(root)
    assert (written, unchanged, removed) == (6, 0, 0)  # .py, figure, 2 downloads, 2 pages
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


def test_notebook_page_renders_markdown_to_html_with_alt_text_in_its_language(root: Path) -> None:
    write_site_files(root)
    zh, en = notebook(root, "zh", page=True), notebook(root, "en", page=True)
    assert '<div class="admonition note">' in zh.cells[1].source
    assert '<p class="admonition-title">提示</p>' in zh.cells[1].source
    assert "```" not in zh.cells[1].source and "!!!" not in zh.cells[1].source
    assert 'alt="demo 第 2 段代码的图 1"' in zh.cells[4].outputs[0].data["text/html"]
    assert 'alt="demo, figure 1 of code cell 2"' in en.cells[4].outputs[0].data["text/html"]


def test_notebook_page_describes_a_figure_as_the_article_page_does(root: Path) -> None:
    described = {"title": "", "axes": [{"title": "loss <curve>", "x": "step", "y": "loss"}], "scales": []}
    fake_recording(
        root,
        "demo",
        ["hello\n", ""],
        figures={2: [PNG]},
        page="docs/zh/demo.md",
        figure_text={2: [described]},
    )
    write_site_files(root)
    for lang, alt in [
        ("zh", "图：loss &lt;curve&gt;（横轴：step，纵轴：loss）"),
        ("en", "Figure: loss &lt;curve&gt; (x axis: step; y axis: loss)"),
    ]:
        html = notebook(root, lang, page=True).cells[4].outputs[0].data["text/html"]
        assert f'alt="{alt}"' in html


def test_english_notebook_uses_english_prose_and_comments(root: Path) -> None:
    write_site_files(root)
    nb = notebook(root, "en")
    assert nb.cells[1].source == "## 2.1 Training\n\nFirst the data:\n\n> **Note**\n> A note."
    assert nb.cells[2].source == 'print("hello")  # print'


def test_generation_is_deterministic_and_writes_only_changes(root: Path) -> None:
    write_site_files(root)
    path = root / GENERATED / "downloads" / "demo.zh.ipynb"
    first, mtime = path.read_bytes(), path.stat().st_mtime_ns
    assert write_site_files(root) == (0, 6, 0)
    assert path.read_bytes() == first and path.stat().st_mtime_ns == mtime
    assert not list(root.rglob("*.tmp"))


def test_stale_generated_files_are_replaced_and_orphans_removed(root: Path) -> None:
    write_site_files(root)
    page = root / "docs" / "en" / "demo.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("Then a plot.", "Then a figure."), encoding="utf-8"
    )
    (root / "docs" / "zh" / "notebooks" / "gone.ipynb").write_text("{}", encoding="utf-8")
    assert write_site_files(root) == (2, 4, 1)  # en download + en page; gone.ipynb removed
    assert not (root / "docs" / "zh" / "notebooks" / "gone.ipynb").exists()


def test_missing_recording_gives_code_cells_without_outputs(root: Path) -> None:
    (root / "recordings" / "cpu" / "demo.json").unlink()
    files = expected_site_files(root)
    assert not any("figures" in str(path) for path in files)
    write_site_files(root)
    assert all(cell.outputs == [] for cell in notebook(root, "zh").cells if cell.cell_type == "code")


def test_after_a_code_edit_the_notebook_has_no_stale_outputs(root: Path) -> None:
    """Notebooks read recordings through `recording_state`: under `mkdocs serve`, editing the
    code must not pair the new code with the old outputs."""
    from tools.programs import collect_programs
    from tools.site.notebooks import build_notebook

    for lang in ("zh", "en"):
        page = root / "docs" / lang / "demo.md"
        page.write_text(
            page.read_text(encoding="utf-8").replace('print("hello")', 'print("bye")'), encoding="utf-8"
        )
    program = collect_programs(root)["demo"]
    nb = nbformat.reads(build_notebook(root, program, lang="en"), as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert 'print("bye")' in code[0].source
    assert all(cell.outputs == [] for cell in code)


# ---------------------------------------------------------------------------------------------
# The downloads are notebooks Jupyter tools accept as their own: nbval runs each cheap one in a
# fresh kernel and compares every cell's outputs with the stored ones (streams as a kernel
# writes them, figures as image/png display data). Strict only where the recording's numeric
# environment (torch, transformers, the CPU pin) is this one, as the snippet reproduction tests.

NBVAL_NOTEBOOKS = ["env-check", "self-attention", "transformer-encoder", "cnn-digits"]


@pytest.mark.slow
@pytest.mark.parametrize("snippet_id", NBVAL_NOTEBOOKS)
def test_download_notebook_passes_nbval_in_a_fresh_kernel(snippet_id: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tools.profiles import CPU, DEFAULT_THREADS
    from tools.programs import collect_programs
    from tools.recordings import ENV_DRIFT, recording_state
    from tools.site.notebooks import build_notebook

    root = Path(__file__).resolve().parent.parent
    program = collect_programs(root)[snippet_id]
    state = recording_state(root, program, snippet_id, "cpu")
    if state.state == ENV_DRIFT:
        pytest.skip(f"{snippet_id}: recorded in another environment ({state.reason})")
    assert state.state == "fresh", state.reason
    notebook = tmp_path / f"{snippet_id}.en.ipynb"
    notebook.write_text(build_notebook(root, program, lang="en"), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "-p",
            "no:cacheprovider",
            "-q",
            "--nbval-sanitize-with",
            str(root / "tests" / "nbval-sanitize.cfg"),
            "--nbval-cell-timeout",
            "600",
            "-W",
            "ignore",
            "--rootdir",
            str(tmp_path),
            str(notebook),
        ],
        # The kernel gets the runner's pinned numerics (tools/profiles.py), as the recording did.
        env={**os.environ, **CPU.environment(DEFAULT_THREADS)},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_notebook_page_shows_the_served_figure_file_not_a_data_url(root: Path) -> None:
    import posixpath
    import re

    write_site_files(root)
    for lang, page_dir in [("zh", "notebooks/demo/"), ("en", "en/notebooks/demo/")]:
        html = notebook(root, lang, page=True).cells[4].outputs[0].data["text/html"]
        assert "data:" not in html
        src = re.search(r'<img src="([^"]+)"', html).group(1)
        # resolved against the page's URL, the link lands on the figure the build serves
        served = posixpath.normpath(posixpath.join(page_dir, src))
        assert served.startswith("assets/generated/figures/cpu/demo/cell2-fig1-")
        assert (root / "docs" / served).read_bytes() == PNG


def test_notebook_stylesheet_drops_rules_that_can_never_match() -> None:
    # Kept: a rule for a class the page uses, and :root itself; dropped: a class the page lacks
    # and ":root" below another element (the root element has no ancestor).
    from tools.site.mkdocs_hooks import used_css

    css = (
        ":root{--a:1}.jupyter-wrapper :root{--icon:url(data:x)}.jp-Cell{color:red}"
        ".jp-Unused{color:blue}.x > :root, .jp-Cell p{margin:0}"
    )
    assert (
        used_css(css, {"jp-Cell", "x"}) == ":root{--a:1}.jp-Cell{color:red}.x > :root, .jp-Cell p{margin:0}"
    )
