"""tools/languages.py: the one home of the languages, twin paths, page URLs and the source hash."""

from __future__ import annotations

import pytest

from tools import languages
from tools.languages import page_url, recorded_source_hash, source_hash, twin


@pytest.mark.parametrize(
    ("page", "zh_root", "zensical", "html"),
    [
        ("zh/index.md", "", "zh/", ""),
        ("en/index.md", "en/", "en/", "en/"),
        ("zh/a/index.md", "a/", "zh/a/", "a/"),
        ("zh/a/README.md", "a/", "zh/a/", "a/"),
        ("docs/en/a/b.md", "en/a/b/", "en/a/b/", "en/a/b.html"),
    ],
)
def test_page_url(page: str, zh_root: str, zensical: str, html: str) -> None:
    assert page_url(page) == zh_root
    assert page_url(page, default_prefix="zh/") == zensical
    assert page_url(page, directory_urls=False) == html


def test_twin_and_language() -> None:
    assert twin("docs/zh/a/b.md", "en") == "docs/en/a/b.md"
    assert twin("en/a.md", languages.SOURCE) == "zh/a.md"
    assert languages.lang_of("docs/en/a/b.md") == "en"
    assert languages.lang_of("README.md") == ""
    with pytest.raises(ValueError, match="not a page under docs/<lang>/"):
        twin("docs/fr/a.md", "en")


def test_source_hash_round_trip() -> None:
    digest = source_hash("# 标题\n".encode())
    assert len(digest) == languages.HASH_LENGTH
    assert recorded_source_hash(f"---\nsource_hash: {digest}\n---\n# Title\n") == digest
    assert recorded_source_hash("# no front matter\nsource_hash: abc\n") is None
