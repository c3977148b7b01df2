"""The site's own vocabulary for search (tools/site/search_terms.py) and the search-index fixes of
tools/site/reader_hooks.py, without a site build."""

from __future__ import annotations

import logging
from pathlib import Path

import jieba

from tools.site.reader_hooks import name_articles, patch_search_worker
from tools.site.search_terms import glossary_terms, jieba_user_dictionary

ROOT = Path(__file__).resolve().parent.parent


def test_glossary_terms_of_both_languages() -> None:
    zh, en = glossary_terms(ROOT, "zh"), glossary_terms(ROOT, "en")
    assert len(zh) > 80 and len(en) > 80
    assert {"自注意力机制", "大型语言模型", "大语言模型", "转换器", "Transformer"} <= set(zh)
    assert {"self-attention", "large language model", "LLM", "open-source approach"} <= set(en)
    assert not [t for t in zh + en if len(t) < 2 or t.startswith(("the ", "中文"))]


def test_user_dictionary_keeps_glossary_terms_whole() -> None:
    jieba.setLogLevel(logging.WARNING)
    sentence = "自注意力机制是Transformer的核心，参数高效微调只训练少量参数。"
    assert "自注意力机制" not in jieba.lcut(sentence)  # jieba's own dictionary splits it
    tokenizer = jieba.Tokenizer()
    path = ROOT / "build" / "test-jieba-glossary.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(jieba_user_dictionary(ROOT), encoding="utf-8")
    with path.open("rb") as handle:
        tokenizer.load_userdict(handle)
    words = tokenizer.lcut(sentence)
    assert "自注意力机制" in words and "参数高效微调" in words, words


def test_chapter_results_name_their_article() -> None:
    docs = [
        {"location": "a/", "title": "Article A"},
        {"location": "a/01-x/", "title": "1. Intro"},
        {"location": "a/01-x/#s", "title": "1.1 Section"},
        {"location": "glossary/", "title": "G"},
    ]
    name_articles(docs)
    assert [d["title"] for d in docs] == ["Article A", "1. Intro · Article A", "1.1 Section", "G"]


def test_search_worker_segmenter_is_patched_once(tmp_path: Path, caplog) -> None:
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    worker = workers / "search.abc.min.js"
    loop = "for(let s=0;s<t.length;s++)for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s);"
    worker.write_text(loop, encoding="utf-8")
    patch_search_worker(tmp_path)
    patch_search_worker(tmp_path)  # idempotent (mkdocs serve keeps the patched copy)
    assert worker.read_text(encoding="utf-8") == loop.replace("o<t.length", "o<=t.length")
    worker.write_text("something else", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        patch_search_worker(tmp_path)
    assert "segmenter was not found" in caplog.text
