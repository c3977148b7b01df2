"""On GitHub Pages every missing path gets the site root's 404.html (the Chinese one): a missing
English page must still end on the English 404 page (issue 27)."""

from __future__ import annotations

from pathlib import Path


def test_root_404_sends_an_english_reader_to_the_english_404(
    browser, site_url: str, built_site: Path
) -> None:
    root_404 = (built_site / "404.html").read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        # What GitHub Pages does: the root 404.html, whatever the missing path.
        page.route(
            "**/en/no/such/page/",
            lambda route: route.fulfill(status=404, body=root_404, content_type="text/html; charset=utf-8"),
        )
        page.goto(f"{site_url}/en/no/such/page/")
        page.wait_for_url("**/en/404.html")
        assert page.locator("html").get_attribute("lang") == "en"
        assert "Page not found" in page.locator("article").inner_text()
        # A missing Chinese page stays on the Chinese 404 page.
        page.route(
            "**/no/such/zh/",
            lambda route: route.fulfill(status=404, body=root_404, content_type="text/html; charset=utf-8"),
        )
        page.goto(f"{site_url}/no/such/zh/")
        page.wait_for_timeout(500)
        assert page.url.endswith("/no/such/zh/")
        assert "页面不存在" in page.locator("article").inner_text()
    finally:
        page.close()
