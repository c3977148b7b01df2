"""MkDocs hook: a visible banner on English pages whose Chinese original changed since translation.

Each docs/en page records the hash of the docs/zh file it translates (`source_hash` in its front
matter, written by `python -m tools parity --stamp`). When the zh file's current hash differs, or
the page has no hash, the page gets a warning admonition linking to the Chinese original. The
build only logs this at INFO level: a stale translation must not fail `mkdocs build --strict`
(`python -m tools parity` reports it as a warning instead).

Languages, URLs and the source hash come from tools/languages.py (`make venv` puts the repository
on sys.path with a .pth file, as for the other hooks).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path, PurePosixPath

from mkdocs.utils import get_relative_url

from tools.languages import SOURCE, TARGET, page_url, recorded_source_hash, source_hash

log = logging.getLogger("mkdocs.hooks.i18n_hooks")

LEADING_H1 = re.compile(r"\A\s*# [^\n]*\n")

BANNER = """!!! warning "Translation may be out of date"
    The Chinese original of this page has changed since this translation was made.
    <a href="{href}">Read the Chinese original</a>.

"""


def nav_titles(nav: object) -> list[str]:
    """Every title in a MkDocs nav (sections and titled pages), in order."""
    found: list[str] = []
    if isinstance(nav, list):
        for item in nav:
            found += nav_titles(item)
    elif isinstance(nav, dict):
        for title, value in nav.items():
            found.append(str(title))
            found += nav_titles(value)
    return found


def _key_line(config_text: str, key: str) -> int:
    """1-based line of `key:` under nav_translations in mkdocs.yml (1 if not found)."""
    inside = False
    for number, line in enumerate(config_text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("nav_translations:"):
            inside = True
            continue
        if inside and re.match(rf"""^["']?{re.escape(key)}["']?\s*:""", stripped):
            return number
    return 1


def nav_translation_problems(config_path: Path, nav: object,
                             translations: dict[str, dict]) -> list[str]:
    """"mkdocs.yml:LINE: …" for each nav_translations key (per language) that is no nav title:
    i18n would silently leave that title untranslated."""
    titles = nav_titles(nav)
    try:
        text = Path(config_path).read_text(encoding="utf-8")
    except OSError:
        text = ""
    problems = []
    for lang, mapping in translations.items():
        for key in mapping or {}:
            if str(key) not in titles:
                problems.append(
                    f"{Path(config_path).name}:{_key_line(text, str(key))}: nav_translations "
                    f"({lang}) key '{key}' matches no title in nav; the titles are: "
                    f"{', '.join(dict.fromkeys(titles))} (fix the key, or remove it if the "
                    "section is gone)")
    return problems


def on_config(config):  # noqa: ANN001, ANN201 (MkDocs API)
    """A nav_translations key that matches no nav title is an error (strict builds fail)."""
    i18n = config.plugins.get("i18n") if hasattr(config, "plugins") else None
    languages = getattr(getattr(i18n, "config", None), "languages", None) or []
    translations = {}
    for language in languages:
        get = language.get if isinstance(language, dict) else lambda k, lang=language: getattr(
            lang, k, None)
        translations[str(get("locale"))] = get("nav_translations") or {}
    for problem in nav_translation_problems(Path(config["config_file_path"]), config["nav"],
                                            translations):
        log.error("%s", problem)
    return config


def on_page_markdown(markdown: str, *, page, config, files) -> str | None:  # noqa: ANN001 (MkDocs API)
    parts = PurePosixPath(page.file.src_uri).parts
    if len(parts) < 2 or parts[0] != TARGET:
        return None
    if not page.file.src_uri.endswith(".md"):
        return None  # a generated notebook page: made from both languages' pages, never translated
    rel = PurePosixPath(*parts[1:])
    zh_file = Path(config["docs_dir"]) / SOURCE / rel
    if not zh_file.is_file() or not page.file.abs_src_path:
        return None  # `python -m tools parity` reports the missing original
    current = source_hash(zh_file.read_bytes())
    recorded = recorded_source_hash(Path(page.file.abs_src_path).read_text(encoding="utf-8"))
    if recorded == current:
        return None
    target = page_url(f"{SOURCE}/{rel.as_posix()}", directory_urls=config["use_directory_urls"])
    href = get_relative_url(target, page.url)
    if (not target or target.endswith("/")) and not href.endswith("/"):
        href += "/"
    log.info(
        "%s/%s: translation may be out of date (source_hash %s, docs/%s/%s is now %s); "
        "update it, then run `python -m tools parity --stamp docs/%s/%s`",
        TARGET, rel, recorded or "missing", SOURCE, rel, current, TARGET, rel,
    )
    banner = BANNER.format(href=href)
    heading = LEADING_H1.match(markdown)
    if heading:  # keep the page title first; the banner goes right under it
        return markdown[: heading.end()] + "\n" + banner + markdown[heading.end() :]
    return banner + markdown
