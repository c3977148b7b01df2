"""python -m tools.reachable [FILE…]: after a failed `pip install` / `npm ci`, say which package
index could not be reached, instead of leaving the reader with pip's "ResolutionImpossible".

The indexes checked: pip's own (PIP_INDEX_URL, else `pip config`'s index-url, else PyPI), every
`--index-url` / `--extra-index-url` in the FILEs given (requirements files), and npm's registry
when package.json is among them. Standard library only: it runs before any package is installed.
Exit status 0 when every index answered (the failure was something else), 1 otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

PYPI = "https://pypi.org/simple/"
NPM = "https://registry.npmjs.org/"
TIMEOUT_S = 10


def pip_index() -> str:
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else PYPI


def indexes(files: list[Path]) -> list[str]:
    urls = [pip_index()]
    for path in files:
        if path.name == "package.json":
            urls.append(os.environ.get("npm_config_registry") or NPM)
            continue
        text = path.read_text(encoding="utf-8")
        urls += re.findall(r"^\s*--(?:extra-)?index-url[ =](\S+)", text, re.M)
    return list(dict.fromkeys(urls))


def unreachable(url: str) -> str | None:
    """None if `url` answers (any HTTP status: the host is there), else why not."""
    if url.startswith("file:"):
        return None if Path(url.removeprefix("file://")).exists() else "no such folder"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=TIMEOUT_S)  # noqa: S310 - a package index named by our requirements (file: is handled above)
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))
    return None


def main(argv: list[str]) -> int:
    problems = [
        (url, why) for url in indexes([Path(a) for a in argv]) if (why := unreachable(url)) is not None
    ]
    for url, why in problems:
        print(
            f"error: could not reach {url} ({why}): check the network, a proxy "
            f"(HTTPS_PROXY) or the index setting (PIP_INDEX_URL, npm_config_registry)",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
