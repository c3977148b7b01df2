"""`mkdocs serve --dirty` keeps one search document per location, however many saves.

Rebuilds a small two-language site in process the way `mkdocs serve --dirty` does (one config,
plugins that keep their state, dirty builds after a page changed) and counts the documents of
each language's search index and of the index Material keeps in memory for the next rebuild.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from textwrap import dedent

import pytest

from tools.site.reader_hooks import latest_per_location

ROOT = Path(__file__).resolve().parent.parent
REBUILDS = 20


def _site(tmp_path: Path) -> Path:
    config = dedent(f"""\
        site_name: t
        site_url: http://127.0.0.1:8000/
        docs_dir: docs
        site_dir: site
        theme: {{name: material, language: zh}}
        plugins:
          - search
          - i18n:
              docs_structure: folder
              reconfigure_search: false
              languages:
                - {{locale: zh, name: 中文, default: true, build: true}}
                - {{locale: en, name: English, build: true}}
        hooks:
          - {ROOT / "tools/site/reader_hooks.py"}
          - {ROOT / "tools/site/mkdocs_hooks.py"}  # as the site: templates compiled once
        """)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    for lang in ("zh", "en"):
        for name in ("index", "a", "b"):
            page = tmp_path / "docs" / lang / f"{name}.md"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(f"# {name} {lang}\n\n## one\n\ntext\n\n## two\n\nmore\n", encoding="utf-8")
    return tmp_path


def _count(site: Path) -> tuple[int, int]:
    zh = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    en = json.loads((site / "en/search/search_index.json").read_text(encoding="utf-8"))
    return len(zh["docs"]), len(en["docs"])


@pytest.mark.slow
def test_search_index_stays_flat_over_dirty_rebuilds(tmp_path, monkeypatch) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = _site(tmp_path)
    monkeypatch.chdir(root)
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=False)
    first = _count(root / "site")
    page = root / "docs/zh/a.md"
    counts, kept = [], []
    for number in range(REBUILDS):
        page.write_text(page.read_text(encoding="utf-8") + f"\nsave {number}\n", encoding="utf-8")
        os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 1 + number))
        build(config, dirty=True)
        counts.append(_count(root / "site"))
        kept.append(len(config.plugins["material/search"].search_index_prev.entries))
        assert counts[-1] == first, f"rebuild {number + 1}: {counts}"  # fail fast: it doubles
        assert kept[-1] == kept[0], f"rebuild {number + 1}: kept in memory {kept}"
    index = json.loads((root / "site/search/search_index.json").read_text(encoding="utf-8"))
    assert any(f"save {REBUILDS - 1}" in doc["text"] for doc in index["docs"])  # the fresh text


def test_latest_document_wins_in_first_seen_order() -> None:
    docs = [{"location": "a", "text": "1"}, {"location": "b", "text": "1"}, {"location": "a", "text": "2"}]
    assert latest_per_location(docs) == [{"location": "a", "text": "2"}, {"location": "b", "text": "1"}]
