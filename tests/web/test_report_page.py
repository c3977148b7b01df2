"""The execution report (issue 27): its seven columns fit the content column at 1280 px in both
languages, with no column cut off and page links that do not wrap over many lines."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["", "en/"])
def test_report_table_fits_the_column_at_1280px(browser, site_url: str, lang: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{site_url}/{lang}report/")
        width, box, lines = page.evaluate("""(() => {
            const table = document.querySelector("article table");
            const box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
            const cell = table.querySelector("tbody td:nth-child(2)");
            return [table.scrollWidth, box.clientWidth,
                    cell.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight)];
        })()""")
    finally:
        page.close()
    assert width <= box, f"/{lang}report/: table {width} px in a {box} px column"
    assert lines <= 7, f"/{lang}report/: page links wrap over {lines:.1f} lines"
