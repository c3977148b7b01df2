"""Language parity checker: every docs/zh page and its docs/en twin say the same things.

`python -m tools parity` compares each page pair (headings, formulas, diagrams, tables,
admonitions, images, executable snippets by Python AST), looks for
Chinese characters in English prose, and checks that each en page records which version of
its zh original it translates (`source_hash` in the front matter). `--stamp` updates that hash.

Each check is a small function over two `Page` records and returns `Issue`s, so tests can
exercise one rule at a time.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tools.checks.parity_page import (
    Item,
    Page,
    admonitions,
    chinese_in_prose,
    diagrams,
    display_formulas,
    exec_cells,
    headings,
    images,
    inline_formulas,
    pages,
    recorded_hash,
    stamp,
    tables,
)
from tools.languages import SOURCE as SOURCE_LANG
from tools.languages import TARGET as TARGET_LANG
from tools.languages import source_hash
from tools.markdown import MarkdownError
from tools.programs import SnippetError, compare_programs, page_programs

__all__ = ["Issue", "Page", "check_pair", "check_site", "main", "source_hash", "stamp"]


@dataclass(frozen=True)
class Issue:
    severity: Literal["error", "warning"]
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


# ---------------------------------------------------------------- checks over a page pair


def _first_unmatched(zh: Sequence[Item], en: Sequence[Item]) -> tuple[str, Item] | None:
    """The first item (in document order) that has no counterpart in the other language."""
    matcher = difflib.SequenceMatcher(a=[i.key for i in zh], b=[i.key for i in en], autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or a1 - a0 == b1 - b0:  # same count in this stretch: keys merely differ
            continue
        return ("zh", zh[a0]) if a1 - a0 > b1 - b0 else ("en", en[b0])
    return None


def _count_check(name: str, extract: Callable[[Page], list[Item]]) -> Callable[[Page, Page], list[Issue]]:
    def check(zh: Page, en: Page) -> list[Issue]:
        zh_items, en_items = extract(zh), extract(en)
        if len(zh_items) == len(en_items):
            return []
        where = _first_unmatched(zh_items, en_items)
        side, item = where if where else ("en", (en_items or zh_items)[-1])
        page = zh if side == "zh" else en
        other = en if side == "zh" else zh
        return [
            Issue(
                "error",
                page.path,
                item.line,
                f"{len(zh_items)} {name} in {zh.path} but {len(en_items)} in {en.path}; "
                f"this one ({item.text.strip()[:60]!r}) has no counterpart in {other.path}: "
                f"add it there or remove it here",
            )
        ]

    check.__name__ = f"check_{name.replace(' ', '_')}"
    return check


check_display_formulas = _count_check("display formulas ($$…$$)", display_formulas)
check_inline_formulas = _count_check("inline formulas ($…$)", inline_formulas)
check_diagrams = _count_check("mermaid diagrams", diagrams)
check_tables = _count_check("tables", tables)
check_admonitions = _count_check("admonitions (!!!/???)", admonitions)
check_images = _count_check("images", images)


def check_headings(zh: Page, en: Page) -> list[Issue]:
    zh_items, en_items = headings(zh), headings(en)
    zh_levels = [i.key[0] for i in zh_items]  # type: ignore[index]
    en_levels = [i.key[0] for i in en_items]  # type: ignore[index]
    if zh_levels == en_levels:
        return []
    summary = "same heading levels but in a different order"
    for level in range(1, 7):
        if zh_levels.count(level) != en_levels.count(level):
            summary = (
                f"{zh_levels.count(level)} level-{level} headings in {zh.path} "
                f"but {en_levels.count(level)} in {en.path}"
            )
            break
    where = _first_unmatched(zh_items, en_items)
    if where is None:  # same numbering, different levels: the first heading whose level differs
        index = next(i for i, (a, b) in enumerate(zip(zh_levels, en_levels, strict=False)) if a != b)
        where = ("en", en_items[index])
    side, item = where
    page = zh if side == "zh" else en
    other = en if side == "zh" else zh
    marks = "#" * item.key[0]  # type: ignore[index]
    return [
        Issue(
            "error",
            page.path,
            item.line,
            f"heading structure differs: {summary}; first heading without counterpart in "
            f"{other.path}: {marks} {item.text}",
        )
    ]


def _check_id_sequence(
    name: str, zh_items: list[Item], en_items: list[Item], zh: Page, en: Page
) -> list[Issue]:
    zh_ids, en_ids = [i.key for i in zh_items], [i.key for i in en_items]
    if zh_ids == en_ids:
        return []
    for index, (a, b) in enumerate(zip(zh_ids, en_ids, strict=False)):
        if a != b:
            return [
                Issue(
                    "error",
                    en.path,
                    en_items[index].line,
                    f"{name}: found {b!r} where {zh.path}:{zh_items[index].line} has {a!r} "
                    f"(ids and order must match: {zh_ids} vs {en_ids})",
                )
            ]
    if len(zh_ids) > len(en_ids):
        missing = zh_items[len(en_ids)]
        return [
            Issue(
                "error",
                zh.path,
                missing.line,
                f"{name}: {missing.key!r} has no counterpart in {en.path} (add it there in the same place)",
            )
        ]
    extra = en_items[len(zh_ids)]
    return [
        Issue(
            "error",
            en.path,
            extra.line,
            f"{name}: {extra.key!r} has no counterpart in {zh.path} (remove it or add it to the zh page)",
        )
    ]


def check_snippets(zh: Page, en: Page) -> list[Issue]:
    """Same exec ids in the same order, and the same programs (tools.programs.compare_programs:
    the one zh/en comparison the pipeline uses too)."""
    zh_cells, en_cells = exec_cells(zh), exec_cells(en)
    zh_items = [Item(b.line, b.attrs["exec"], b.info) for b in zh_cells]
    en_items = [Item(b.line, b.attrs["exec"], b.info) for b in en_cells]
    issues = _check_id_sequence('executable snippets ```python {exec="ID"}', zh_items, en_items, zh, en)
    if issues:
        return issues
    zh_errors: list[SnippetError] = []
    en_errors: list[SnippetError] = []
    zh_programs = page_programs(zh.text, zh.path, errors=zh_errors)
    en_programs = page_programs(en.text, en.path, errors=en_errors)
    for error in zh_errors + en_errors:
        issues.append(Issue("error", error.path, error.line, error.message))
    for snippet_id, program in en_programs.items():
        if snippet_id in zh_programs:
            error = compare_programs(zh_programs[snippet_id], program, same_page=False)
            if error is not None:
                issues.append(Issue("error", error.path, error.line, error.message))
    return issues


def check_chinese_in_english(en: Page) -> list[Issue]:
    return [
        Issue(
            "error",
            en.path,
            line,
            f"Chinese text in English prose: {text!r}; translate it, or mark a "
            f'deliberate quotation with quotes or <span lang="zh">…</span>',
        )
        for line, text in chinese_in_prose(en)
    ]


def check_source_hash(zh: Page, en: Page) -> list[Issue]:
    recorded = recorded_hash(en)
    stamp = f"python -m tools parity --stamp {en.path}"
    if recorded is None:
        return [
            Issue(
                "error",
                en.path,
                1,
                f"front matter has no `source_hash`; when the page is a full translation of "
                f"{zh.path}, run `{stamp}`",
            )
        ]
    if recorded != source_hash(zh.text.encode("utf-8")):
        line = 1 + en.text[: en.text.find("source_hash:")].count("\n")
        return [
            Issue(
                "warning",
                en.path,
                line,
                f"{en.path} translates an older version of {zh.path} (changed since); "
                f"update the translation, then run `{stamp}`",
            )
        ]
    return []


PAIR_CHECKS: tuple[Callable[[Page, Page], list[Issue]], ...] = (
    check_headings,
    check_display_formulas,
    check_inline_formulas,
    check_diagrams,
    check_tables,
    check_admonitions,
    check_images,
    check_snippets,
    check_source_hash,
)


def check_pair(zh: Page, en: Page) -> list[Issue]:
    issues = [issue for check in PAIR_CHECKS for issue in check(zh, en)]
    return issues + check_chinese_in_english(en)


# ---------------------------------------------------------------- whole site


def check_site(root: Path) -> tuple[list[Issue], int]:
    """All issues for docs/zh ↔ docs/en under root, and the number of complete pairs."""
    zh_pages, en_pages = pages(root, SOURCE_LANG), pages(root, TARGET_LANG)
    issues = []
    for rel in sorted(zh_pages - en_pages):
        issues.append(
            Issue(
                "error",
                f"docs/{SOURCE_LANG}/{rel}",
                1,
                f"has no English twin: create docs/{TARGET_LANG}/{rel}",
            )
        )
    for rel in sorted(en_pages - zh_pages):
        issues.append(
            Issue(
                "error",
                f"docs/{TARGET_LANG}/{rel}",
                1,
                f"has no Chinese original docs/{SOURCE_LANG}/{rel}: rename or remove it",
            )
        )
    pairs = sorted(zh_pages & en_pages)
    for rel in pairs:
        try:
            zh = Page.load(root, f"docs/{SOURCE_LANG}/{rel}")
            en = Page.load(root, f"docs/{TARGET_LANG}/{rel}")
        except MarkdownError as error:
            issues.append(Issue("error", error.path, error.line, str(error.message)))
            continue
        issues.extend(check_pair(zh, en))
    return issues, len(pairs)


# ---------------------------------------------------------------- command line


HELP = "check that docs/zh and docs/en say the same things (file:line per problem); --stamp after translating"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the subcommand (`python -m tools` adds --root)."""
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings (stale translations) too")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--stamp",
        nargs="+",
        metavar="PAGE",
        help="record the current zh hash in these en pages (after updating their translation)",
    )
    group.add_argument(
        "--stamp-all", action="store_true", help="stamp every en page (after a full translation)"
    )


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if args.stamp or args.stamp_all:
        targets: Iterable[str] = args.stamp or [
            f"docs/{TARGET_LANG}/{rel}" for rel in sorted(pages(root, TARGET_LANG) & pages(root, SOURCE_LANG))
        ]
        try:
            for target in targets:
                print(f"{target}: source_hash {stamp(root, target)}")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    issues, pairs = check_site(root)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    for issue in errors + warnings:
        print(issue, file=sys.stderr)
    print(f"parity: {pairs} page pairs, {len(errors)} errors, {len(warnings)} warnings", file=sys.stderr)
    return 1 if errors or (warnings and args.strict) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools parity", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
