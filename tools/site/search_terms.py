"""The site's own vocabulary for search: the terms of docs/<lang>/glossary.md.

Material's search segments Chinese with jieba, whose general dictionary splits many of the
site's terms (自注意力 → 自 + 注意力), and its query segmenter can only rebuild a query from
tokens that are in the index. A jieba user dictionary made of the glossary's Chinese terms keeps
each term one token, so typing a term finds it. The same term lists drive the search tests.
"""

from __future__ import annotations

import re
from pathlib import Path

GLOSSARY = "docs/{lang}/glossary.md"
# Where `on_config` (tools/site/reader_hooks.py) writes the user dictionary that mkdocs.yml's
# `search.jieba_dict_user` names; build/ is git-ignored.
JIEBA_USER_DICT = "build/jieba-glossary.txt"
# Frequency given to every glossary term: high enough that jieba keeps the term whole
# inside longer runs of Han characters (its default dictionary's common words are ~10^4-10^5).
TERM_FREQUENCY = 200_000

_ROW = re.compile(r"^\|(?P<cells>.+)\|\s*$")
_PAREN = re.compile(r"\s*[（(]([^）)]*)[）)]\s*")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _split_terms(cell: str) -> list[str]:
    """'大型语言模型、大语言模型' → both; 'Transformer（转换器）' → Transformer, 转换器;
    'large language model (LLM)' → large language model, LLM; 'Adam / AdamW' → Adam, AdamW."""
    terms: list[str] = []
    for inner in _PAREN.findall(cell):
        terms += _split_terms(inner)
    outer = _PAREN.sub(" ", cell)
    for part in re.split(r"[、,，/;；]", outer):
        part = re.sub(r"^the ", "", part.strip().strip("\"'“”"))
        if part:
            terms.append(part)
    return terms


def glossary_terms(root: Path, lang: str) -> list[str]:
    """Every term the glossary of `lang` glosses, in order, without duplicates: the Chinese
    column on the zh page, the English column on the en page (abbreviations included)."""
    path = root / GLOSSARY.format(lang=lang)
    if not path.is_file():
        return []  # a site without a glossary (a small fixture site) has no own vocabulary
    text = path.read_text(encoding="utf-8")
    column = 0 if lang == "zh" else 1
    terms: list[str] = []
    for line in text.splitlines():
        row = _ROW.match(line)
        if not row:
            continue
        cells = [cell.strip() for cell in row.group("cells").split("|")]
        if len(cells) < 3 or set(cells[0]) <= {"-", " ", ":"} or cells[0] in ("中文", "Chinese"):
            continue
        for term in _split_terms(cells[column]):
            # One-letter abbreviations (Q, K, V) are not search terms.
            if len(term) > 1 and term not in terms:
                terms.append(term)
    return terms


def jieba_user_dictionary(root: Path) -> str:
    """The glossary's Chinese terms as a jieba user dictionary ("word frequency" per line).
    A term with spaces (jieba never joins across them) keeps only its Han-character runs."""
    words: list[str] = []
    for term in glossary_terms(root, "zh"):
        for run in re.findall(r"[\u3400-\u9fff]{2,}", term):
            if run not in words:
                words.append(run)
    return "".join(f"{word} {TERM_FREQUENCY}\n" for word in words)


def write_jieba_user_dictionary(root: Path) -> Path:
    path = root / JIEBA_USER_DICT
    text = jieba_user_dictionary(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path
