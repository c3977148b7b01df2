"""The edition style sheet (CONTRIBUTING.md, "Edition style sheet"), as far as a program can check it.

Rules (each finding names a file and line):

- **box types**: an admonition is one of the style sheet's kinds, written with its type
  (`!!! warning "编者注…"`, `!!! note "编者说明…"`, `??? note "原文代码（未修改）"` and their en
  twins); pages the editors write by design (EDITORS_PAGES) may also use untitled-kind `note`
  boxes; no third label (编者补充, "Editors' addition");
- **heading renderings**: a zh heading that recurs (numbering aside) has one English rendering;
- **names**: the pen name is written `Zen and the Art of Computer Programming`, followed by its
  Chinese original in `<span lang="zh">…</span>`; on en pages a Chinese title 《…》 stands only inside
  such a span, never in code or plain quotes;
- **spelling**: no British spelling (BRITISH) in English prose, in the comments and strings of the
  code fences of every page (both editions), or in the English text of data files the pages show
  (DATA_FILES);
- **anchors**: a link `page.md#anchor` points at a heading that exists (after a heading is renamed;
  the strict MkDocs build only notes a missing anchor).

`python -m tools style` prints the findings of these rules and of tools/checks/voice.py;
tests/test_style.py runs each rule.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tokenize
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from tools.checks import voice
from tools.checks.fidelity import Finding
from tools.checks.parity_page import Page, headings

# Pages the editors write by design: no source article behind them. They say so on the page.
EDITORS_PAGES = {"index.md", "about.md", "glossary.md", "report.md"}

# British spellings (case-insensitive, whole words). US spelling is the house style.
BRITISH = re.compile(
    r"\b(?:"
    r"\w*(?:optimis|organis|initialis|normalis|tokenis|visualis|summaris|recognis|realis|utilis|minimis|maximis"
    r"|categoris|characteris|standardis|customis|authoris|serialis|specialis|generalis|randomis|prioritis"
    r"|vectoris|emphasis|memoris|capitalis|finalis|penalis|parallelis|localis|modernis|democratis|monetis"
    r"|commercialis|popularis|criticis|apologis|analys|paralys)(?:e|ed|es|er|ers|ing|ation|ations)"
    r"|\w*(?:behaviour|colour|favour|honour|labour|neighbour|flavour|endeavour|rumour|humour)\w*"
    r"|(?:un)?(?:label|model|travel|cancel|signal|channel|level|fuel|total)l(?:ed|ing|er|ers)"
    r"|licence[sd]?|centre[sd]?|metres?|fibres?|catalogue[sd]?|artefacts?|towards|whilst|amongst|programmes?"
    r"|judgements?|ageing|defence|offence|grey|fulfil|fulfils|enrol|enrols|practise[sd]?"
    r")\b",
    re.I,
)
# "analyses" is a US noun (plural of analysis) but a British verb: flag it where it takes an object.
ANALYSES_VERB = re.compile(
    r"\banalyses\s+(?:the|a|an|its|their|this|these|those|how|whether|what|each|every|it)\b", re.I
)
# "analyse(s|d)" other than the noun plural is British; BRITISH matches "analyses" too, so drop the noun.
NOUN_ANALYSES = re.compile(r"^analyses$", re.I)

# Data files whose text the pages show (through recorded output): (glob, column of the text,
# column and value that mark an English row).
DATA_FILES = [("data/stance/sentences.csv", "text", ("lang", "en"))]

# Places that cannot pass yet, each with its reason; the lead removes an entry once the place passes.
PENDING: dict[str, str] = {
    # place -> why it may fail for now (a commented, temporary entry; none today)
}

PEN_NAME = re.compile(r"zen\s+and\s+the\s+art\s+of\s+computer\s+programming", re.I)
PEN_NAME_FORM = "Zen and the Art of Computer Programming"
PEN_NAME_ZH = '<span lang="zh">禅与计算机程序设计艺术</span>'
# After the pen name: optional closing markup or quotes, then the Chinese original in a span.
PEN_NAME_FOLLOW = re.compile(r'^[*_"”]*\s*\(' + re.escape(PEN_NAME_ZH) + r"\)")
ZH_SPAN = re.compile(r"<span\b[^>]*\blang=[\"']zh[\"'][^>]*>.*?</span>", re.S)
ZH_TITLE = re.compile(r"《[^》\n]*》")
# A third label for the editors' text, as a heading or a box title ("### 编者补充：…", "Editors' addition: …").
THIRD_LABEL = re.compile(r"^\s*(?:#{1,6}|!!!|\?\?\?\+?)[^\n]*?(?:编者补充|Editors?['’]s? addition)", re.I)
NUMBERING = re.compile(
    r"^\s*(?:[A-Za-z]\.|\d+(?:\.\d+)*\.?|第[一二三四五六七八九十\d]+[章节部分]|[一二三四五六七八九十]+、)\s*"
)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _pages(root: Path, lang: str) -> list[Path]:
    return sorted((root / "docs" / lang).rglob("*.md"))


def _editors_page(root: Path, path: Path) -> bool:
    return (
        path.relative_to(root / "docs" / path.relative_to(root / "docs").parts[0]).as_posix() in EDITORS_PAGES
    )


# ---------------------------------------------------------------- box types


def box_types(path: str, text: str, lang: str, *, editors_page: bool) -> list[Finding]:
    findings = []
    for box in voice.page_boxes(text, lang, path=path):
        if box.kind == "other":
            if not (editors_page and box.type == "note"):
                findings.append(
                    Finding(
                        "box-type",
                        path,
                        box.line,
                        f'`{box.type} "{box.title}"` is none of the style sheet\'s boxes: use '
                        + (
                            '`!!! warning "编者注"` or `!!! note "编者说明"`'
                            if lang == "zh"
                            else '`!!! warning "Editor\'s note"` or `!!! note "Editor\'s comment"`'
                        ),
                    )
                )
        elif box.type != voice.BOX_TYPES[box.kind]:
            findings.append(
                Finding(
                    "box-type",
                    path,
                    box.line,
                    f"a {box.kind} box is `{voice.BOX_TYPES[box.kind]}`, not `{box.type}`",
                )
            )
    for number, line in enumerate(text.splitlines(), start=1):
        if THIRD_LABEL.search(line):
            findings.append(
                Finding(
                    "box-type",
                    path,
                    number,
                    "a third label for the editors' text: their text "
                    "stands in a correction or comment box (编者注 / 编者说明)",
                )
            )
    return findings


# ---------------------------------------------------------------- heading renderings


def heading_key(text: str) -> str:
    """A heading without its numbering, markup, trailing colon and case: what a rendering renders."""
    text = re.sub(r"\{[#.:][^}]*\}\s*$", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", text).strip()
    text = NUMBERING.sub("", text).lstrip(":： ")
    return re.sub(r"\s+", " ", text).strip().rstrip(":：").strip().casefold()


def heading_renderings(root: Path) -> list[Finding]:
    """zh headings (numbering aside) rendered more than one way in English."""
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for zh in _pages(root, "zh"):
        rel = zh.relative_to(root / "docs" / "zh").as_posix()
        en = root / "docs" / "en" / rel
        if not en.is_file():
            continue
        zh_items = headings(Page.load(root, f"docs/zh/{rel}"))
        en_items = headings(Page.load(root, f"docs/en/{rel}"))
        if [i.key for i in zh_items] != [i.key for i in en_items]:
            continue  # parity reports pages whose headings do not pair up
        for a, b in zip(zh_items, en_items, strict=True):
            seen[heading_key(a.text)][heading_key(b.text)].append(f"docs/en/{rel}:{b.line}")
    findings = []
    for zh_key, renderings in sorted(seen.items()):
        if len(renderings) < 2:
            continue
        ranked = sorted(renderings.items(), key=lambda item: -len(item[1]))
        listing = "; ".join(f"{en!r} ({len(where)}×)" for en, where in ranked)
        for _en_key, where in ranked[1:]:
            for place in where:
                path, line = place.rsplit(":", 1)
                findings.append(
                    Finding(
                        "heading",
                        path,
                        int(line),
                        f"{zh_key!r} is rendered {len(renderings)} ways ({listing}): use one",
                    )
                )
    return findings


# ---------------------------------------------------------------- names and Chinese titles


def _prose_lines(path: str, text: str) -> list[tuple[int, str]]:
    """(line, text) outside code and front matter, inline code blanked."""
    page = Page.parse(path, text)
    found = []
    for first, block in page.prose():
        for offset, line in enumerate(block.split("\n")):
            if line.strip():
                found.append((first + offset, line))
    return found


def names(path: str, text: str) -> list[Finding]:
    findings = []
    page = Page.parse(path, text)
    for fence in page.fences():
        for offset, line in enumerate(fence.text.splitlines()):
            if PEN_NAME.search(line) and PEN_NAME.search(line).group(0) != PEN_NAME_FORM:
                findings.append(
                    Finding("names", path, fence.line + offset, f"write the pen name {PEN_NAME_FORM!r}")
                )
    for number, line in _prose_lines(path, text):
        for m in PEN_NAME.finditer(line):
            if m.group(0) != PEN_NAME_FORM:
                findings.append(
                    Finding(
                        "names", path, number, f"write the pen name {PEN_NAME_FORM!r}, not {m.group(0)!r}"
                    )
                )
            elif not PEN_NAME_FOLLOW.match(line[m.end() :]):
                findings.append(Finding("names", path, number, f"follow the pen name with ({PEN_NAME_ZH})"))
        outside = ZH_SPAN.sub(lambda s: " " * len(s.group(0)), line)
        for m in ZH_TITLE.finditer(outside):
            findings.append(
                Finding(
                    "names",
                    path,
                    number,
                    f"the Chinese title {m.group(0)} stands in "
                    f'<span lang="zh">…</span> after the English title, not in quotes or plain text',
                )
            )
        quoted = re.findall(r"[\"“]([\u4e00-\u9fff][^\"”\n]*)[\"”]", outside)
        for title in quoted:
            findings.append(
                Finding(
                    "names",
                    path,
                    number,
                    f'the Chinese "{title}" stands in <span lang="zh">…</span>, not in quotes',
                )
            )
    return findings


# ---------------------------------------------------------------- spelling


def british(text: str) -> list[str]:
    found = [m.group(0) for m in BRITISH.finditer(text) if not NOUN_ANALYSES.match(m.group(0))]
    return found + [m.group(0).split()[0] for m in ANALYSES_VERB.finditer(text)]


def _code_text(block_body: str, lang: str) -> list[tuple[int, str]]:
    """(offset line, text) of the comments and string literals of a fence (all of it if not Python)."""
    if lang not in ("python", "py", "python3"):
        return [
            (i, line) for i, line in enumerate(block_body.splitlines()) if "#" in line or lang in ("text", "")
        ]
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(block_body).readline):
            if token.type in (tokenize.COMMENT, tokenize.STRING):
                found.append((token.start[0] - 1, token.string))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return list(enumerate(block_body.splitlines()))
    return found


def spelling(path: str, text: str, lang: str) -> list[Finding]:
    findings = []
    page = Page.parse(path, text)
    if lang == "en":
        for number, line in _prose_lines(path, text):
            words = british(ZH_SPAN.sub(" ", line))
            if words:
                findings.append(
                    Finding(
                        "spelling",
                        path,
                        number,
                        f"British spelling in prose: {', '.join(words)} (US spelling: see the style sheet)",
                    )
                )
    for fence in page.fences():
        for offset, snippet in _code_text(fence.body, fence.lang):
            words = british(snippet)
            if words:
                findings.append(
                    Finding(
                        "spelling",
                        path,
                        fence.line + 1 + offset,
                        f"British spelling in code: {', '.join(words)}",
                    )
                )
    return findings


def data_spelling(root: Path) -> list[Finding]:
    findings = []
    for pattern, column, (key, value) in DATA_FILES:
        for path in sorted(root.glob(pattern)):
            rel = _rel(root, path)
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                for row in reader:
                    if row.get(key) == value:
                        words = british(row.get(column) or "")
                        if words:
                            findings.append(
                                Finding(
                                    "spelling",
                                    rel,
                                    reader.line_num,
                                    f"British spelling in English data text: {', '.join(words)}",
                                )
                            )
    return findings


# ---------------------------------------------------------------- cross-links


LINK_ANCHOR = re.compile(r"\]\((?!https?:)([^)\s#]*)#([^)\s]+)\)")
ATTR_ID = re.compile(r"\{#([^}\s]+)\}\s*$")


def page_anchors(root: Path, path: Path) -> set[str]:
    """The ids a page's headings get (the toc slugify of mkdocs.yml, or an explicit {#id}) and its HTML ids."""
    from pymdownx.slugs import slugify  # MkDocs' dependency; imported only where anchors are checked

    slug = slugify(case="lower")
    page = Page.load(root, _rel(root, path))
    found = set(re.findall(r'\bid="([^"]+)"', page.text))
    for item in headings(page):
        explicit = ATTR_ID.search(item.text)
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", re.sub(r"<[^>]+>", "", item.text)).strip()
        found.add(explicit.group(1) if explicit else slug(text, "-"))
    return found


def broken_anchors(root: Path) -> list[Finding]:
    """Links `page.md#anchor` (or `#anchor`) to a heading that does not exist (the strict build only notes them)."""
    cache: dict[Path, set[str]] = {}
    findings = []
    for path in sorted((root / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in LINK_ANCHOR.finditer(text):
            target = (path.parent / m.group(1)).resolve() if m.group(1) else path.resolve()
            if not target.is_file() or target.suffix != ".md" or m.group(2).startswith("snippet-"):
                continue
            if target not in cache:
                cache[target] = page_anchors(root, target)
            if m.group(2) not in cache[target]:
                findings.append(
                    Finding(
                        "anchor",
                        _rel(root, path),
                        text.count("\n", 0, m.start()) + 1,
                        f"#{m.group(2)} is no heading of {_rel(root, target)}: fix the link after renaming a heading",
                    )
                )
    return findings


# ---------------------------------------------------------------- all rules


def check_site(root: Path) -> dict[str, list[Finding]]:
    """{place: findings} for every page and data file (places without findings included)."""
    result: dict[str, list[Finding]] = {}
    for lang in ("zh", "en"):
        for page in _pages(root, lang):
            rel = _rel(root, page)
            text = page.read_text(encoding="utf-8")
            found = box_types(rel, text, lang, editors_page=_editors_page(root, page)) + spelling(
                rel, text, lang
            )
            if lang == "en":
                found += names(rel, text)
            result[rel] = found
    for finding in heading_renderings(root) + voice.check_box_structure(root) + broken_anchors(root):
        result.setdefault(finding.path, []).append(finding)
    for pattern, *_ in DATA_FILES:
        for path in sorted(root.glob(pattern)):
            result.setdefault(_rel(root, path), [])
    for finding in data_spelling(root):
        result[finding.path].append(finding)
    for rel, findings in voice.check_traced(root).items():
        result.setdefault(rel, []).extend(findings)
    return result


HELP = "check the edition style sheet and the editors' voice (boxes, headings, names, spelling; file:line per finding)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on pending places too (see PENDING in tools/checks/style.py)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        result = check_site(args.root)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    failing = pending = 0
    for place, findings in sorted(result.items()):
        waiting = (place in PENDING or place in voice.PENDING_PAGES) and not args.strict
        for finding in findings:
            print(("pending: " if waiting else "") + str(finding), file=sys.stderr)
        if findings:
            pending += waiting
            failing += not waiting
    total = sum(len(f) for f in result.values())
    print(
        f"style: {len(result)} places, {total} findings; {failing} places failing, {pending} pending "
        f"(listed in PENDING)",
        file=sys.stderr,
    )
    return 1 if failing else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools style", description=HELP)
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (default: .)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
