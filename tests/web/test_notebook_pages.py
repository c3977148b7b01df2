"""Notebook pages (mkdocs-jupyter) as usable as article pages (issue 27): no prompt gutter on a
phone, outputs that wrap between words, a skip link, Tab stops only where something scrolls,
KaTeX only where a formula is, and JupyterLab's stylesheet cut to the rules a page can use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LANGS = {"zh": "", "en": "en/"}


def _notebook_pages(site: Path, lang: str) -> list[Path]:
    pages = sorted((site / LANGS[lang] / "notebooks").glob("*/index.html"))
    assert pages, f"no notebook pages under /{LANGS[lang]}notebooks/"
    return pages


def _url(site_url: str, site: Path, page: Path) -> str:
    return f"{site_url}/{page.parent.relative_to(site).as_posix()}/"


@pytest.mark.parametrize("lang", list(LANGS))
def test_katex_only_where_a_formula_is(built_site: Path, lang: str) -> None:
    for page in _notebook_pages(built_site, lang):
        html = page.read_text(encoding="utf-8")
        has_formula = 'class="katex"' in html
        assert ("katex.min.css" in html) == has_formula, f"{page}: KaTeX CSS but formula={has_formula}"
        assert "katex.min.js" not in html, f"{page}: formulas are rendered at build time"


def test_markdown_cells_are_no_tab_stops(built_site: Path) -> None:
    for page in _notebook_pages(built_site, "zh"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'class="jp-Cell-inputWrapper"[^>]*tabindex', html), page


def test_jupyter_stylesheet_keeps_only_usable_rules(built_site: Path) -> None:
    sheets = list((built_site / "assets" / "notebooks").glob("jupyter-*.css"))
    assert sheets
    texts = [sheet.read_text(encoding="utf-8") for sheet in sheets]
    for sheet, css in zip(sheets, texts, strict=True):
        assert len(css) < 200_000, f"{sheet.name}: {len(css)} characters"
        assert ".bp3-menu-item" not in css, sheet.name  # a widget no notebook page has
    assert any(".jp-OutputArea-output" in css for css in texts)  # kept where outputs are


def test_notebook_page_on_a_phone(browser, site_url: str, built_site: Path) -> None:
    page_path = next(
        p
        for p in _notebook_pages(built_site, "en")
        if "jp-OutputArea-output" in p.read_text(encoding="utf-8")
    )
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto(_url(site_url, built_site, page_path))
        page.locator(".jp-CodeCell").first.wait_for()
        article = page.locator("article").first.bounding_box()
        editor = page.locator(".jp-CodeCell .jp-InputArea-editor").first.bounding_box()
        assert editor["x"] - article["x"] < 24, (
            f"code starts {editor['x'] - article['x']:.0f} px into the column"
        )
        assert page.locator(".jp-InputPrompt").first.bounding_box() is None  # not displayed
        breaks = page.eval_on_selector_all(
            ".jp-OutputArea-output pre", "els => els.map(e => getComputedStyle(e).wordBreak)"
        )
        assert breaks and "break-all" not in breaks, breaks
        # The first Tab reaches a skip link, which moves focus to the content.
        page.keyboard.press("Tab")
        assert "md-skip" in page.evaluate("document.activeElement.className")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content-start"
    finally:
        context.close()


NOTEBOOK_BUDGET_KIB = 200


@pytest.mark.parametrize("lang", list(LANGS))
def test_notebook_pages_weigh_at_most_200_kib_gzip_with_figures_as_files(
    browser, built_site: Path, lang: str
) -> None:
    from tools.checks.page_weight import measure

    pages = _notebook_pages(built_site, lang)
    for page in pages:  # the figures the article page shows, not base64 copies of them
        assert "data:image/" not in page.read_text(encoding="utf-8"), page
    rows = measure(
        built_site, [page.parent.relative_to(built_site).as_posix() + "/" for page in pages], browser=browser
    )
    heavy = [
        f"{row['page']}: {row['gzip'] / 1024:.1f} KiB"
        for row in rows
        if row["gzip"] > NOTEBOOK_BUDGET_KIB * 1024
    ]
    assert not heavy, "\n".join(heavy)
