"""A build cache that survives builds: results of pure, expensive conversions by content hash.

The site build converts the same inputs again and again: every build (and every `mkdocs serve`
save) turns each generated notebook into HTML with nbconvert (templates compiled anew each
time, ~0.5 s a notebook), into Markdown again for its table of contents, and cuts JupyterLab's
570 kB stylesheet down for each notebook page (tinycss2, ~1 s); Material's search plugin parses
every page's HTML and segments its Chinese with jieba, and Pygments highlights every code block
(together over half of a build: tools/site/mkdocs_hooks.py keeps both by page and by block).
Their results depend only on their inputs and on the versions of the code that computes them, so
they are kept here:

    .cache/site/<kind>/<sha256>.txt      (git-ignored; SITE_BUILD_CACHE names another folder)
    .cache/site/jinja/                   the page templates compiled (Jinja's bytecode cache)

The key is a SHA-256 over the kind, the caller's key parts (the input bytes, the options) and
the versions of the distributions the result depends on, so an upgrade or a different input
never returns an old result. Entries are written atomically (a reader sees a whole entry or
none, and parallel builds may race: both write the same bytes). A hit refreshes the entry's
mtime; `prune` removes entries unused for `MAX_AGE_DAYS`. `SITE_BUILD_CACHE=off` turns the disk
cache off (the latest results are then kept in memory for the process: a `mkdocs serve`).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

from tools.files import write_bytes_atomic

__all__ = ["ENV", "SCHEMA", "cached_text", "cache_dir", "prune", "versions"]

ENV = "SITE_BUILD_CACHE"
DEFAULT = Path(".cache") / "site"
SCHEMA = "1"  # bump when the meaning of a kind's key changes
MAX_AGE_DAYS = 30
MEMORY_ENTRIES = 64  # without the disk cache: results kept in memory per kind, least recently used dropped
_memory: dict[str, OrderedDict[str, str]] = {}  # per kind: a page's many code blocks evict no notebook
_versions: dict[tuple[str, ...], str] = {}


def cache_dir(root: Path) -> Path | None:
    """The cache folder for the repository at `root`, or None when turned off."""
    value = os.environ.get(ENV, "")
    if value.lower() in ("off", "0", "no", "false"):
        return None
    return Path(value) if value else root / DEFAULT


def versions(distributions: Iterable[str]) -> str:
    """"name=version;…" of installed distributions ("name=-" when one is not installed)."""
    names = tuple(sorted(distributions))
    if names not in _versions:
        found = []
        for name in names:
            try:
                found.append(f"{name}={metadata.version(name)}")
            except metadata.PackageNotFoundError:
                found.append(f"{name}=-")
        _versions[names] = ";".join(found)
    return _versions[names]


def _key(kind: str, parts: Iterable[bytes | str], distributions: Iterable[str]) -> str:
    digest = hashlib.sha256(f"{SCHEMA}\0{kind}\0{versions(distributions)}\0".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # parts cannot run into each other
        digest.update(data)
    return digest.hexdigest()


def cached_text(root: Path, kind: str, parts: Iterable[bytes | str], compute: Callable[[], str], *,
                distributions: Iterable[str] = ()) -> str:
    """compute()'s text for these inputs: from the cache folder, or computed and stored there.
    `parts` must hold everything the result depends on besides `distributions`' versions
    (and the code computing it: give its source among the parts when it may change)."""
    key = _key(kind, parts, distributions)
    folder = cache_dir(root)
    if folder is None:  # no disk cache: the process keeps the latest results
        memory = _memory.setdefault(kind, OrderedDict())
        if key not in memory:
            memory[key] = compute()
            while len(memory) > MEMORY_ENTRIES:
                memory.popitem(last=False)
        memory.move_to_end(key)
        return memory[key]
    path = folder / kind / f"{key}.txt"
    try:
        text = path.read_bytes().decode("utf-8")
        os.utime(path)  # used: keep it past the next prune
        return text
    except (OSError, UnicodeDecodeError):
        pass
    text = compute()
    try:
        write_bytes_atomic(path, text.encode("utf-8"))
    except OSError:
        pass  # a read-only or full disk: the build goes on without storing
    return text


def prune(root: Path, *, max_age_days: float = MAX_AGE_DAYS) -> int:
    """Remove entries not used for `max_age_days`; how many were removed."""
    folder = cache_dir(root)
    if folder is None or not folder.is_dir():
        return 0
    limit = time.time() - max_age_days * 86400
    removed = 0
    for path in folder.glob("*/*"):  # also the compiled templates (tools/site/mkdocs_hooks.py)
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed
