"""The edition's languages: which one is the source, where a page's twin lives, its site URL,
and the hash an English page records of the Chinese original it translates.

The one home of these facts (standard library and tools.markdown only, so the MkDocs hooks, the checks
and the runner all import it). Adding a language means adding it to `LANGUAGES` here, its strings to the
text tables (tools/site/render.py), and its pages under docs/<lang>/.
"""

from __future__ import annotations

import hashlib
import re

from tools.markdown import front_matter

__all__ = [
    "DEFAULT",
    "HASH_LENGTH",
    "LANGUAGES",
    "SOURCE",
    "SOURCE_HASH_LINE",
    "TARGET",
    "lang_of",
    "language_prefix",
    "page_url",
    "recorded_source_hash",
    "source_hash",
    "twin",
]

SOURCE = "zh"  # the language the articles are written in: its fences are the programs
TARGET = "en"  # the translation
LANGUAGES: tuple[str, ...] = (SOURCE, TARGET)
DEFAULT = SOURCE  # served at the site root by mkdocs-static-i18n

HASH_LENGTH = 12  # hex digits of sha256 kept in an English page's `source_hash`
SOURCE_HASH_LINE = re.compile(r"^source_hash:[ \t]*[\"']?([^\"'\s]*)[\"']?[ \t]*$", re.M)


def lang_of(path: str) -> str:
    """The language of "docs/<lang>/a/b.md" or "<lang>/a/b.md" ("" when it names none)."""
    parts = path.split("/")
    if parts and parts[0] == "docs":
        parts = parts[1:]
    return parts[0] if len(parts) > 1 and parts[0] in LANGUAGES else ""


def twin(path: str, lang: str) -> str:
    """The same page in another language: twin("docs/zh/a/b.md", "en") == "docs/en/a/b.md"."""
    docs = path.startswith("docs/")
    rest = path[len("docs/") :] if docs else path
    current, sep, tail = rest.partition("/")
    if current not in LANGUAGES or not sep:
        raise ValueError(f"{path}: not a page under docs/<lang>/ ({', '.join(LANGUAGES)})")
    return ("docs/" if docs else "") + f"{lang}/{tail}"


def language_prefix(lang: str, *, default_prefix: str = "") -> str:
    """Site path prefix of a language: `default_prefix` ("" with mkdocs-static-i18n, "zh/" under
    Zensical) for the default language, "<lang>/" for the others."""
    return default_prefix if lang == DEFAULT else f"{lang}/"


def page_url(docs_rel: str, *, default_prefix: str = "", directory_urls: bool = True) -> str:
    """Site path of <lang>/a/b.md: "a/b/" (zh), "en/a/b/" (en); index and README pages are their
    folder. With `directory_urls=False`: "a/b.html"."""
    lang, _, path = docs_rel.removeprefix("docs/").partition("/")
    stem = path[: -len(".md")] if path.endswith(".md") else path
    folder, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        stem = f"{folder}/" if folder else ""
    elif stem:
        stem += "/" if directory_urls else ".html"
    return language_prefix(lang, default_prefix=default_prefix) + stem


def source_hash(source_bytes: bytes) -> str:
    """What an English page records of its Chinese original (`python -m tools parity --stamp`)."""
    return hashlib.sha256(source_bytes).hexdigest()[:HASH_LENGTH]


def recorded_source_hash(text: str) -> str | None:
    """The `source_hash` in the YAML front matter of a page's raw text, if any."""
    found = SOURCE_HASH_LINE.search(front_matter(text))
    return found.group(1) if found else None
