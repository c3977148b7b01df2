"""The stance data set used by the bert-classification example is well-formed."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "stance" / "sentences.csv"
README = ROOT / "data" / "stance" / "README.md"
COLUMNS = ["id", "pair_id", "lang", "text", "label", "source"]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def documented_labels() -> set[str]:
    """Labels are documented in the README as list items: - `name`: meaning."""
    return set(re.findall(r"^- `([a-z]+)`:", README.read_text(encoding="utf-8"), flags=re.M))


def test_has_at_least_200_rows_in_both_languages(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 200
    assert Counter(r["lang"] for r in rows).keys() == {"zh", "en"}


def test_ids_are_unique(rows: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))


def test_every_pair_has_one_zh_and_one_en_with_the_same_label(rows: list[dict[str, str]]) -> None:
    pairs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        pairs[r["pair_id"]].append(r)
    for pair_id, members in pairs.items():
        assert sorted(m["lang"] for m in members) == ["en", "zh"], f"pair {pair_id}: {members}"
        assert len({m["label"] for m in members}) == 1, f"pair {pair_id} has different labels"
        assert len({m["source"] for m in members}) == 1, f"pair {pair_id} has different sources"


def test_labels_are_documented_and_balanced(rows: list[dict[str, str]]) -> None:
    labels = documented_labels()
    assert labels == {"open", "closed"}
    counts = Counter(r["label"] for r in rows)
    assert set(counts) <= labels, f"undocumented labels: {set(counts) - labels}"
    assert min(counts.values()) >= 0.4 * len(rows), counts


def test_sources_are_files_in_sources(rows: list[dict[str, str]]) -> None:
    missing = {r["source"] for r in rows if not (ROOT / "sources" / r["source"]).is_file()}
    assert not missing


def test_chinese_sentences_are_quoted_from_their_source(rows: list[dict[str, str]]) -> None:
    cache: dict[str, str] = {}
    for r in rows:
        if r["lang"] == "zh":
            source = cache.setdefault(r["source"], (ROOT / "sources" / r["source"]).read_text(encoding="utf-8").replace("**", ""))
            assert r["text"].rstrip("。") in source, f"row {r['id']}: not found in {r['source']}: {r['text']}"


def test_no_duplicate_or_empty_text(rows: list[dict[str, str]]) -> None:
    texts = [r["text"].strip() for r in rows]
    assert all(texts)
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert not duplicates
