"""Helpers of the hostile-input tests (tests/test_hostile_*.py, issue 15): the pages of one
program "demo", what a run may print (never an unsafe hint, never a tool traceback), the bytes
under recordings/ before and after, and a page rendered with the site's Markdown extension.
The fixtures (hostile_repo, template, recorded) are in tests/conftest.py."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from textwrap import dedent

import markdown

from tools.recordings import load_recording

FIX = "python -m tools run demo --force"
TOOL_FRAME = re.compile(r'File "[^"]*\.py", line \d+')  # a traceback of the tools (or Python)
# Never suggested: deleting files (`git rm` keeps them in history), discarding work in git.
UNSAFE = re.compile(r"\bdelete\b|(?<!git )\brm -|git (?:checkout|reset|clean|restore)|--hard", re.I)
REPO = Path(__file__).resolve().parent.parent

# The hostile-input tests (tests/test_hostile_*.py): one program "demo" on a zh page and its twin.
ZH, EN = "docs/zh/p.md", "docs/en/p.md"
REC = "recordings/cpu/demo.json"


def page(*cells: str, opts: str = "", snippet_id: str = "demo", title: str = "# 页面\n") -> str:
    """A page with one fence per cell; the first fence is on line 3, its code on line 4;
    the second fence on line 7, its code on line 8 (for one-line cells)."""
    parts = [title]
    for number, code in enumerate(cells):
        extra = opts if number == 0 else ""
        parts.append(f'\n```python {{exec="{snippet_id}"{extra}}}\n{dedent(code).strip()}\n```\n')
    return "".join(parts)


def english(zh: str) -> str:
    """The en twin of a zh page from page(): the same program under another title (the site's
    Markdown extension tells pages apart by the prose before their fences)."""
    return zh.replace("# 页面\n", "# Page\n", 1)


def snapshot(root: Path, *folders: str) -> dict[str, bytes]:
    """Bytes of every file under the folders (default recordings/), except the run lock."""
    found = {}
    for folder in folders or ("recordings",):
        base = root / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = b"-> " + os.fsencode(os.readlink(path))
            elif path.name != ".lock" and path.is_file():
                found[rel] = path.read_bytes()
    return found


def assert_safe(text: str) -> None:
    assert not UNSAFE.search(text), f"unsafe hint in: {text}"
    assert not TOOL_FRAME.search(text), f"tool traceback in: {text}"


def dead(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(") ", 1)[1][0] in "ZX"
    except (OSError, IndexError):
        return True


def wait_dead(pid: int, seconds: float = 3.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if dead(pid):
            return True
        time.sleep(0.05)
    return dead(pid)


def figure_of(root: Path) -> Path:
    return root / "recordings/cpu/demo" / load_recording(root, "demo", "cpu").cells[1].figures[0]


def render(root: Path, rel: str, caplog) -> tuple[str, list[str]]:
    """Render one page with the site's Markdown extension; (html, error messages logged)."""
    from tools.site.markdown_ext import makeExtension

    caplog.clear()
    md = markdown.Markdown(extensions=[makeExtension(root=str(root)), "admonition", "pymdownx.superfences"])
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.tools"):
        html = md.convert((root / rel).read_text(encoding="utf-8-sig"))
    return html, [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def run_cli(tools_cli, root: Path, *args: str):
    before = snapshot(root)
    result = tools_cli(root, *args)
    assert_safe(result.out + result.err)
    return result, before
