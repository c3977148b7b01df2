"""The real site builds strictly and both languages have the same pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_helpers import ROOT, html_pages


def test_strict_build_succeeds(built_site: Path) -> None:
    assert (built_site / "index.html").exists()
    assert (built_site / "en" / "index.html").exists()


def test_zh_and_en_page_sets_are_identical(built_site: Path) -> None:
    zh_pages = html_pages(built_site)
    en_pages = sorted(
        path.relative_to(built_site / "en").as_posix()
        for path in (built_site / "en").rglob("*.html")
        if path.name != "404.html" and "assets/" not in path.relative_to(built_site / "en").as_posix()
    )
    assert zh_pages == en_pages
    assert len(zh_pages) > 1


def test_no_page_loads_assets_from_another_host(built_site: Path) -> None:
    offenders = []
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for needle in ("fonts.googleapis.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            if needle in text:
                offenders.append(f"{path.relative_to(built_site)}: {needle}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("markers", "script"),
    [
        (['class="mermaid"'], "mermaid.min.js"),
        # Notebook pages keep $…$ math in their Markdown cells.
        (['class="arithmatex"', "jp-MarkdownCell"], "katex.min.js"),
    ],
    ids=["mermaid", "katex"],
)
def test_heavy_scripts_load_only_on_pages_that_need_them(built_site: Path, markers: list[str], script: str) -> None:
    with_it = without_it = 0
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        needs_it = any(marker in text for marker in markers)
        assert needs_it == (script in text), f"{path.relative_to(built_site)}: {markers} vs {script}"
        with_it += needs_it
        without_it += not needs_it
    assert with_it and without_it


def test_vendored_assets_are_not_committed() -> None:
    # The fetched JavaScript lives in a git-ignored folder.
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/docs/assets/vendor/" in ignore
