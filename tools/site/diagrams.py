"""Diagrams rendered ahead of time: every ```mermaid fence becomes an inline SVG.

Author side, like recording outputs: `python -m tools diagrams` renders each mermaid fence
under docs/ with the pinned mermaid (node_modules/, `make assets`) in headless Chromium and
writes diagrams/<hash>.svg, keyed by a hash of the fence's source. Build side,
`fence_format` (a pymdownx.superfences custom fence, configured in mkdocs.yml) inlines that
SVG; a missing one (a new or changed diagram) is logged as an error naming the page, the
line and the command, so `mkdocs build --strict` fails until it is rendered. No page loads
mermaid's JavaScript.

Layout: an SVG is shown at its natural size (wider ones scroll sideways inside their box).
A left-to-right flowchart wider than the article column at 1280 px is rendered top-to-bottom
instead when that fits better; the page source keeps its text.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from tools.markdown import MarkdownError, split_blocks
from tools.site.svg import svg_problems

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DIAGRAMS = "diagrams"          # committed folder of pre-rendered SVGs, at the repository root
MERMAID_JS = "node_modules/mermaid/dist/mermaid.min.js"
HASH_LENGTH = 16
COMMAND = "python -m tools diagrams"
# Width of the article column at a 1280 px viewport (Material 9.8: 61rem grid, two
# 12.1rem sidebars, 1.2rem padding, 20px root font), measured in Chromium.
COLUMN_PX = 690
FONT_FAMILY = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans CJK SC", '
    '"PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
)
MERMAID_CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "theme": "default",
    "fontFamily": FONT_FAMILY,
    # SVG <text> labels (no <foreignObject> HTML): the SVG renders the same anywhere.
    "htmlLabels": False,
    "flowchart": {"htmlLabels": False, "useMaxWidth": False},
    "sequence": {"useMaxWidth": False},
    "gantt": {"useMaxWidth": False},
}

HELP = "render the site's mermaid diagrams to SVG (diagrams/), or --check that all are rendered"

log = logging.getLogger("mkdocs.plugins.diagrams")

_LR_HEADER = re.compile(r"\A(?P<kind>graph|flowchart)[ \t]+(?:LR|RL)\b")


class DiagramError(Exception):
    pass


@dataclass(frozen=True)
class Fence:
    path: Path     # the Markdown file
    line: int      # 1-based line of the opening fence
    source: str    # the fence's content, dedented

    @property
    def key(self) -> str:
        return diagram_hash(self.source)


def normalize(source: str) -> str:
    """The diagram text that is hashed: trailing spaces and blank edge lines do not count."""
    lines = [line.rstrip() for line in source.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def diagram_hash(source: str) -> str:
    return hashlib.sha256(normalize(source).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def svg_path(root: Path, key: str) -> Path:
    return root / DIAGRAMS / f"{key}.svg"


def scan_fences(root: Path) -> list[Fence]:
    """Every ```mermaid fence in docs/**/*.md (indented ones in admonitions and tabs too), found by
    the same scanner as the executable fences (tools.markdown.split_blocks)."""
    fences = []
    for path in sorted((root / "docs").rglob("*.md")):
        if path.is_symlink() or not path.is_file():
            continue  # never published (tools/site/mkdocs_hooks.py reports it)
        rel = path.relative_to(root).as_posix()
        try:
            blocks = split_blocks(path.read_text(encoding="utf-8"), path=rel)
        except (MarkdownError, UnicodeDecodeError) as error:
            raise DiagramError(f"{rel}: {error}") from None
        fences += [Fence(path, block.line, block.body.removesuffix("\n")) for block in blocks
                   if block.kind == "fence" and block.lang == "mermaid"]
    return fences


def _where(root: Path, key: str) -> str:
    for fence in scan_fences(root):
        if fence.key == key:
            return f"{fence.path.relative_to(root).as_posix()}:{fence.line}"
    return "a mermaid fence"


def inline_svg(svg: str, key: str) -> str:
    """The stored SVG as it goes into the page: no XML prolog, ids already unique per key."""
    svg = re.sub(r"\A\s*<\?xml[^>]*\?>\s*", "", svg)
    return svg.strip()


def fence_format(source, language, css_class, options, md, **kwargs):  # noqa: ANN001 - superfences API
    """pymdownx.superfences custom fence: the pre-rendered SVG of this diagram."""
    root = REPO_ROOT
    key = diagram_hash(source)
    path = svg_path(root, key)
    if not path.is_file():
        log.error(
            "%s: diagram %s has no pre-rendered SVG (%s/%s.svg): the diagram is new or changed. "
            "Render it with `%s`",
            _where(root, key), key, DIAGRAMS, key, COMMAND,
        )
        return (
            f'<pre class="{css_class} diagram--missing"><code>{html.escape(normalize(source))}</code></pre>'
        )
    svg = inline_svg(path.read_text(encoding="utf-8", errors="replace"), key)
    problems = svg_problems(svg)
    if problems:
        log.error("%s/%s.svg (%s): not inlined, it %s; render it again with `%s --force`",
                  DIAGRAMS, key, _where(root, key), "; ".join(problems), COMMAND)
        return (
            f'<pre class="{css_class} diagram--missing"><code>{html.escape(normalize(source))}</code></pre>'
        )
    return f'<div class="{css_class}" data-diagram="{key}">{svg}</div>'


# ---------------------------------------------------------------------------------------------
# Rendering (author side)


def _render_all(sources: dict[str, str], mermaid_js: Path) -> dict[str, str]:
    from playwright.sync_api import sync_playwright

    from tools.browser import CHROMIUM, CHROMIUM_ARGS

    rendered = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
        page.add_script_tag(path=str(mermaid_js))
        page.evaluate("config => mermaid.initialize(config)", MERMAID_CONFIG)
        for key, source in sources.items():
            rendered[key] = _render_one(page, key, source)
        browser.close()
    return rendered


def _render(page, element_id: str, source: str) -> tuple[str, float]:  # noqa: ANN001 - Playwright page
    svg, width = page.evaluate(
        """async ([id, source]) => {
            const { svg } = await mermaid.render(id, source);
            const host = document.createElement('div');
            host.innerHTML = svg;
            document.body.appendChild(host);
            const width = host.querySelector('svg').getBoundingClientRect().width;
            host.remove();
            return [svg, width];
        }""",
        [element_id, normalize(source)],
    )
    return svg, width


def _render_one(page, key: str, source: str) -> str:  # noqa: ANN001 - Playwright page
    element_id = f"diagram-{key}"
    svg, width = _render(page, element_id, source)
    header = _LR_HEADER.match(normalize(source))
    if header and width > COLUMN_PX:
        # Too wide for the column: lay the same graph out top to bottom if that is narrower.
        turned = _LR_HEADER.sub(f"{header.group('kind')} TB", normalize(source), count=1)
        svg_tb, width_tb = _render(page, element_id, turned)
        if width_tb < width:
            svg = svg_tb
    return svg


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="render nothing: fail if a diagram has no SVG or an SVG is unused")
    parser.add_argument("--force", action="store_true", help="re-render every diagram")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    fences = scan_fences(root)
    wanted: dict[str, Fence] = {}
    for fence in fences:
        wanted.setdefault(fence.key, fence)
    folder = root / DIAGRAMS
    existing = {path.stem for path in folder.glob("*.svg")} if folder.is_dir() else set()
    missing = [key for key in wanted if key not in existing]
    unused = sorted(existing - set(wanted))
    if args.check:
        for key in missing:
            fence = wanted[key]
            print(f"{fence.path.relative_to(root).as_posix()}:{fence.line}: diagram {key} is not rendered; "
                  f"run `{COMMAND}`")
        for key in unused:
            print(f"{DIAGRAMS}/{key}.svg: no fence uses it; run `{COMMAND}` to remove it")
        unsafe = 0
        for key in sorted(set(wanted) & existing):
            problems = svg_problems(svg_path(root, key).read_text(encoding="utf-8", errors="replace"))
            if problems:
                unsafe += 1
                print(f"{DIAGRAMS}/{key}.svg:1: it {'; '.join(problems)}; it is not inlined into "
                      f"{_where(root, key)}; render it again with `{COMMAND} --force`")
        print(f"{len(wanted)} diagrams, {len(missing)} not rendered, {len(unused)} unused, "
              f"{unsafe} unsafe")
        return 1 if missing or unused or unsafe else 0
    todo = list(wanted) if args.force else missing
    if todo:
        mermaid_js = root / MERMAID_JS
        if not mermaid_js.is_file():
            print(f"error: {MERMAID_JS} not found: run `make assets`")
            return 1
        rendered = _render_all({key: wanted[key].source for key in todo}, mermaid_js)
        folder.mkdir(exist_ok=True)
        for key, svg in rendered.items():
            svg_path(root, key).write_text(svg + "\n", encoding="utf-8")
            fence = wanted[key]
            print(f"rendered {DIAGRAMS}/{key}.svg ({fence.path.relative_to(root).as_posix()}:{fence.line})")
    for key in unused:
        svg_path(root, key).unlink()
        print(f"removed unused {DIAGRAMS}/{key}.svg")
    print(f"{len(wanted)} diagrams: {len(todo)} rendered, {len(unused)} removed")
    return 0
