"""The real site builds strictly and both languages have the same pages."""

from __future__ import annotations

from pathlib import Path

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


def test_mermaid_is_loaded_only_on_pages_with_a_diagram(built_site: Path) -> None:
    with_diagram = without_diagram = 0
    for path in built_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        has_diagram = 'class="mermaid"' in text
        loads_mermaid = "mermaid.min.js" in text
        assert has_diagram == loads_mermaid, path.relative_to(built_site)
        with_diagram += has_diagram
        without_diagram += not has_diagram
    assert with_diagram and without_diagram


def test_vendored_assets_are_not_committed() -> None:
    # The fetched JavaScript lives in a git-ignored folder.
    ignore = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "/docs/assets/vendor/" in ignore
