"""python -m tools build-zensical: build the same docs/ with Zensical, MkDocs' successor.

Zensical reads mkdocs.yml and runs its Markdown extensions, tools.site.markdown_ext included, so
the pages get the same outputs, provenance, downloads and report. zensical-i18n (the
mkdocs-static-i18n of Zensical, which reads the same `i18n` plugin settings) runs Zensical once
per language: Chinese at the root, English under /en/, each with its own navigation, `lang`,
theme strings, search index and a language switcher. What differs from MkDocs, and is adapted in
a derived config (`.zensical.yml`, git-ignored) instead of a second hand-kept copy:

- `site_dir` is `site-zensical/`, so both builds can sit side by side;
- Material's template overrides (`custom_dir`) are left out: Zensical's template engine is not
  Jinja2 (Python string methods are missing) and its theme has its own partials;
- zensical-i18n stages each language as its own docs root and Zensical resolves relative URLs
  in raw HTML against the page's source file (MkDocs leaves them as written), so the extension
  writes figure and download links that way (`link_base: source`);
- `hooks:` and mkdocs-jupyter are ignored by Zensical: notebook pages are not rendered there, and
  the download links stay (the generated files are written here first, by tools.site.files).
  The one hook whose work a reader sees, formulas rendered at build time with the pinned KaTeX
  (tools.site.reader_hooks.render_math), runs here on the built pages instead.

Strictness: the extension's errors are Python log records, which Zensical does not count, so
`--strict` first runs the recording check of `python -m tools check` and `python -m tools diagrams
--check`, and fails on any problem.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.checks.cli_check import recording_problems
from tools.programs import scan_all
from tools.site.files import write_site_files
from tools.site.reader_hooks import render_math


def diagram_problems(root: Path) -> list[str]:
    """Diagrams without a current pre-rendered SVG (what MkDocs' strict build reports)."""
    done = subprocess.run([sys.executable, "-m", "tools", "diagrams", "--check", "--root", str(root)],
                          cwd=root, capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return []
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()] or \
        [f"python -m tools diagrams --check exited {done.returncode}"]

HELP = "build docs/ with Zensical into site-zensical/ (same pages, outputs and report as MkDocs)"
CONFIG = ".zensical.yml"
SITE_DIR = "site-zensical"
EXTENSION_LINE = re.compile(r"^  - tools\.site\.markdown_ext\s*$", re.M)


def derived_config(mkdocs_yml: str, *, site_dir: str = SITE_DIR) -> str:
    """mkdocs.yml adapted for Zensical (see the module docstring)."""
    text = re.sub(r"^  custom_dir: .*\n", "", mkdocs_yml, flags=re.M)
    # Notebook pages need mkdocs-jupyter: leave their nav section out (downloads stay).
    text = re.sub(r"^ *# Generated notebook pages.*\n *- [^\n]+:\n(?: +- [^\n]*notebooks/[^\n]+\n)+",
                  "", text, flags=re.M)
    text, found = EXTENSION_LINE.subn(
        "  - tools.site.markdown_ext:\n      link_base: source",
        text)
    if not found:
        raise ValueError("mkdocs.yml does not list `- tools.site.markdown_ext` under "
                         "markdown_extensions")
    return f"{text.rstrip()}\n\n# Added by tools/site/zensical.py\nsite_dir: {site_dir}\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strict", action="store_true",
                        help="fail on a missing, stale or broken recording, or a page problem")


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    programs, errors = scan_all(root)
    problems = [str(error) for error in errors]
    if args.strict:
        problems += recording_problems(root, programs)[0]
        problems += diagram_problems(root)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"build-zensical: {len(problems)} problem(s); nothing was built", file=sys.stderr)
        return 1
    zensical = shutil.which("zensical-i18n", path=str(Path(sys.executable).parent)) or \
        shutil.which("zensical-i18n")
    if zensical is None:
        print("error: zensical-i18n is not installed; run `make setup` (zensical and "
              "zensical-i18n are pinned in requirements.txt)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    write_site_files(root, programs)
    config = root / CONFIG
    config.write_text(derived_config((root / "mkdocs.yml").read_text(encoding="utf-8")),
                      encoding="utf-8")
    command = [zensical, "build", "-f", str(config), "--clean"] + (["--strict"] if args.strict else [])
    done = subprocess.run(command, cwd=root, check=False)
    if done.returncode != 0:
        return done.returncode
    rendered = render_site_math(root / SITE_DIR, root)
    print(f"zensical: built {SITE_DIR}/ in {time.perf_counter() - start:.1f} s "
          f"(formulas rendered on {rendered} pages)")
    return 0


KATEX_CSS = "assets/vendor/katex/katex.min.css"


def render_site_math(site: Path, root: Path) -> int:
    """Render every page's formulas with KaTeX at build time, as the MkDocs hook does, and link
    KaTeX's stylesheet on those pages only. Returns the number of pages changed."""
    changed = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if 'class="arithmatex"' not in html:
            continue
        new = render_math(html, root)
        if new == html:
            continue
        # The stylesheet of the page's own language root (each has a copy of assets/).
        lang_root = site / "en" if page.is_relative_to(site / "en") else site
        href = posixpath.relpath((lang_root / KATEX_CSS).as_posix(), page.parent.as_posix())
        new = new.replace("</head>", f'<link rel="stylesheet" href="{href}">\n</head>', 1)
        page.write_text(new, encoding="utf-8")
        changed += 1
    return changed
