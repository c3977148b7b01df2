"""Search result excerpts (issue 27): a result shows its section's prose; a code listing shows
only where it holds a hit, and then only its first lines (a prose term such as "fine-tuning"
showed a 30-line listing as its excerpt)."""

from __future__ import annotations

import pytest
from site_helpers import search

MAX_LISTING_LINES = 6


@pytest.mark.parametrize(
    ("lang", "query"), [("en/", "fine-tuning"), ("en/", "tokenizer"), ("", "微调"), ("", "分词器")]
)
def test_excerpts_show_prose_and_at_most_a_few_lines_of_a_listing_with_a_hit(
    browser, site_url: str, lang: str, query: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{site_url}/{lang}", wait_until="networkidle")
        assert search(page, query, results=".md-search-result__article"), f"no results for {query!r}"
        page.wait_for_timeout(500)
        listings = page.evaluate("""() => [...document.querySelectorAll('.md-search-result__article pre')]
            .filter(pre => pre.getBoundingClientRect().height > 0)
            .map(pre => ({title: (pre.closest('.md-search-result__article').querySelector('h1, h2') || {}).textContent,
                          lines: pre.getBoundingClientRect().height / parseFloat(getComputedStyle(pre).lineHeight),
                          hit: !!pre.querySelector('mark')}))""")
    finally:
        page.close()
    problems = [f"{item['title']!r}: a listing without a hit" for item in listings if not item["hit"]]
    problems += [
        f"{item['title']!r}: {item['lines']:.0f} lines of code"
        for item in listings
        if item["lines"] > MAX_LISTING_LINES
    ]
    assert not problems, f"{query!r} on /{lang}:\n" + "\n".join(problems)
