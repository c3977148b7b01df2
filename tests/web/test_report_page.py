"""The execution report (issue 27): its seven columns fit the content column at 1280 px in both
languages, with no column cut off and page links that do not wrap over many lines; on a phone
it is stacked, one block per snippet, each value under its column's name."""

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


@pytest.mark.parametrize("lang", ["", "en/"])
def test_report_on_a_phone_is_one_block_per_snippet_with_nothing_cut_off(
    browser, site_url: str, lang: str
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(f"{site_url}/{lang}report/")
        found = page.evaluate("""(() => {
            const table = document.querySelector("article table");
            const column = document.querySelector("article").getBoundingClientRect();
            const rows = [...table.querySelectorAll("tbody tr")];
            const cut = [];
            for (const cell of table.querySelectorAll("tbody td")) {
                const r = cell.getBoundingClientRect();
                if (r.left < column.left - 1 || r.right > column.right + 1 || cell.scrollWidth > cell.clientWidth + 1)
                    cut.push(cell.innerText.slice(0, 40));
            }
            const label = table.querySelector("tbody td .snippet-report__label");
            return {scroll: document.documentElement.scrollWidth, view: window.innerWidth,
                    table: table.scrollWidth, box: (table.closest(".md-typeset__scrollwrap") || table.parentElement).clientWidth,
                    cut, rows: rows.length,
                    stacked: rows.every(tr => [...tr.cells].every(td => td.getBoundingClientRect().width > 0.8 * tr.getBoundingClientRect().width)),
                    label: label ? getComputedStyle(label).display : null,
                    header: getComputedStyle(table.querySelector("thead")).display};
        })()""")
    finally:
        page.close()
    assert found["rows"] > 0
    assert found["scroll"] <= found["view"], f"/{lang}report/: the page scrolls sideways ({found})"
    assert found["table"] <= found["box"], (
        f"/{lang}report/: table {found['table']} px in a {found['box']} px box"
    )
    assert not found["cut"], f"/{lang}report/: cells cut off: {found['cut']}"
    assert found["stacked"] and found["label"] != "none" and found["header"] == "none", found
