"""The site as a reader sees it, in headless Chromium: both languages load,
the language switcher keeps the page, search works for Chinese and English
words, diagrams (inline SVG) and formulas render, and nothing is fetched from another host."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from site_helpers import search

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DIAGRAM_MARK = "data-diagram="
MATH_MARK = 'class="arithmatex"'


def _first_page_containing(site: Path, needle: str, *, lang: str = "zh") -> str:
    base = site / "en" if lang == "en" else site
    for path in sorted(base.rglob("index.html")):
        rel = path.relative_to(base).as_posix()
        if (lang == "zh" and rel.startswith("en/")) or rel == "index.html":
            continue  # the home pages are covered by their own tests
        if needle in path.read_text(encoding="utf-8"):
            return ("en/" if lang == "en" else "") + rel.removesuffix("index.html")
    pytest.fail(f"no {lang} page contains {needle!r}")


def _assert_only_local_requests(requests: list[str]) -> None:
    foreign = [
        url
        for url in requests
        if urlparse(url).scheme in {"http", "https", "ws", "wss"}
        and urlparse(url).hostname not in LOCAL_HOSTS
    ]
    assert not foreign, f"requests to other hosts: {foreign}"


def test_zh_home_page_loads(recorded_page, site_url: str) -> None:
    page = recorded_page.page
    response = page.goto(site_url + "/")
    assert response.ok
    assert page.locator("html").get_attribute("lang") == "zh"
    assert page.locator("h1").first.inner_text().strip()
    page.wait_for_load_state("networkidle")
    _assert_only_local_requests(recorded_page.requests)


def test_en_page_loads(recorded_page, site_url: str) -> None:
    page = recorded_page.page
    response = page.goto(site_url + "/en/")
    assert response.ok
    assert page.locator("html").get_attribute("lang") == "en"
    heading = page.locator("h1").first.inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", heading), heading
    page.wait_for_load_state("networkidle")
    _assert_only_local_requests(recorded_page.requests)


@pytest.mark.parametrize("direction", ["zh-to-en", "en-to-zh"])
def test_language_switcher_keeps_the_page(
    recorded_page, site_url: str, built_site: Path, direction: str
) -> None:
    page = recorded_page.page
    # A page deeper than the home page, so "same page" is a real claim.
    zh_path = _first_page_containing(built_site, DIAGRAM_MARK)
    assert zh_path, "need a non-home page for the switcher test"
    start, target_lang = (zh_path, "en") if direction == "zh-to-en" else ("en/" + zh_path, "zh")
    page.goto(f"{site_url}/{start}")
    link = page.locator(f'.md-select a[hreflang="{target_lang}"]').first
    page.locator(".md-header__option .md-select").first.hover()
    link.click()
    page.wait_for_load_state("domcontentloaded")
    expected = f"{site_url}/en/{zh_path}" if target_lang == "en" else f"{site_url}/{zh_path}"
    assert page.url == expected
    assert page.locator("html").get_attribute("lang") == target_lang


def _search(page, query: str) -> list[str]:
    """The result texts of a search typed into Material's box."""
    return [item.inner_text() for item in search(page, query, results=".md-search-result__item")]


@pytest.mark.parametrize(
    ("start", "query"),
    [
        ("/", "社区"),  # a Chinese word in the middle of sentences (needs jieba)
        ("/", "tokenizer"),  # an English word on the zh site (needs the stopWordFilter pipeline)
        ("/en/", "tokenizer"),
        ("/en/", "fine-tuning"),
    ],
)
def test_search_finds_words_in_both_languages(recorded_page, site_url: str, start: str, query: str) -> None:
    page = recorded_page.page
    page.goto(site_url + start)
    results = _search(page, query)
    assert results, f"no search results for {query!r} from {start}"


def test_diagram_is_an_inline_svg(recorded_page, site_url: str, built_site: Path) -> None:
    page = recorded_page.page
    page.goto(f"{site_url}/{_first_page_containing(built_site, DIAGRAM_MARK)}")
    # Pre-rendered by `python -m tools diagrams`: the SVG is in the HTML, with its labels
    # as text, and no mermaid source or script is left on the page.
    diagram = page.locator(".diagram > svg").first
    assert diagram.bounding_box()["height"] > 40
    assert diagram.locator("text").count() > 0
    assert "-->" not in page.locator(".diagram").first.inner_text()
    page.wait_for_load_state("networkidle")
    assert not [url for url in recorded_page.requests if "mermaid" in url]
    _assert_only_local_requests(recorded_page.requests)


def test_formula_is_rendered(recorded_page, site_url: str, built_site: Path) -> None:
    page = recorded_page.page
    page.goto(f"{site_url}/{_first_page_containing(built_site, MATH_MARK)}")
    page.locator(".arithmatex .katex").first.wait_for(timeout=20_000)
    raw = page.locator(".arithmatex").first.inner_text()
    assert "\\frac" not in raw and "\\(" not in raw
    page.wait_for_load_state("networkidle")
    _assert_only_local_requests(recorded_page.requests)


@pytest.mark.parametrize("lang_prefix", ["", "en/"])
def test_notebook_page_renders_cells_with_local_requests_only(
    recorded_page, site_url: str, built_site: Path, lang_prefix: str
) -> None:
    notebooks = sorted((built_site / lang_prefix / "notebooks").glob("*/index.html"))
    assert notebooks, f"no notebook pages under {lang_prefix}notebooks/"
    page = recorded_page.page
    rel = notebooks[0].relative_to(built_site).as_posix().removesuffix("index.html")
    page.goto(f"{site_url}/{rel}")
    page.locator(".jp-CodeCell").first.wait_for(timeout=20_000)
    assert '"cell_type"' not in page.locator("article").first.inner_text()
    page.wait_for_load_state("networkidle")
    _assert_only_local_requests(recorded_page.requests)
