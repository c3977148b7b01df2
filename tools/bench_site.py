"""python -m tools bench-site: how much the embedding costs a build, and how fast a save is served.

Not a test: it prints a Markdown table for the closing notes. Measured, paired and interleaved
(`--runs` of each, the median reported) so that load on the machine hits both sides alike:

- `mkdocs build` with the site's config, and with the same config minus the embedding extension
  (tools.site.markdown_ext): the exec fences then render as plain code;
- `python -m tools build-zensical` (Zensical, same docs/);
- save → served: `mkdocs serve` as `make serve` runs it; a marker is appended to a prose page,
  and the time until the served page contains it is measured (the page is restored after).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HELP = "time MkDocs builds with/without the embedding, Zensical, and save-to-served in serve"
SERVE_ARGS = ["serve", "--dirty", "--dev-addr", "127.0.0.1:{port}"]  # as `make serve`
PROSE_PAGE = "docs/en/glossary.md"
PROSE_URL = "en/glossary/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--saves", type=int, default=3, help="prose saves timed in serve")


def _env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _mkdocs() -> list[str]:
    return [sys.executable, "-m", "mkdocs"]


def _timed(command: list[str], root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=root, env=_env(), capture_output=True, check=False)
    return time.perf_counter() - start


def _without_extension(root: Path) -> Path:
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() != "- tools.site.markdown_ext"]
    config = root / ".bench-noext.yml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a loopback http URL
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _serve_latency(root: Path, *, port: int, saves: int) -> list[float]:
    page = root / PROSE_PAGE
    original = page.read_bytes()
    log = tempfile.TemporaryFile()
    args = [arg.format(port=port) for arg in SERVE_ARGS]
    server = subprocess.Popen(_mkdocs() + args, cwd=root, env=_env(), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/{PROSE_URL}"
    latencies = []
    try:
        deadline = time.monotonic() + 180
        while not _fetch(url) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # let the first build settle
        for number in range(saves):
            marker = f"bench-marker-{number}-{time.time_ns()}"
            start = time.perf_counter()
            page.write_bytes(original + f"\n{marker}\n".encode())
            while marker not in _fetch(url):
                if time.perf_counter() - start > 60:
                    break
                time.sleep(0.05)
            latencies.append(time.perf_counter() - start)
            time.sleep(1)
    finally:
        page.write_bytes(original)
        server.terminate()
        server.wait(timeout=30)
    return latencies


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    noext = _without_extension(root)
    with_ext, without_ext, zensical = [], [], []
    try:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as site:
                with_ext.append(_timed(_mkdocs() + ["build", "-q", "-d", site], root))
            with tempfile.TemporaryDirectory() as site:
                without_ext.append(_timed(_mkdocs() + ["build", "-q", "-f", str(noext), "-d", site], root))
            zensical.append(_timed([sys.executable, "-m", "tools", "build-zensical"], root))
    finally:
        noext.unlink(missing_ok=True)
    latencies = _serve_latency(root, port=args.port, saves=args.saves)
    a, b = statistics.median(with_ext), statistics.median(without_ext)
    print("| measurement | median (s) | runs (s) |\n| --- | ---: | --- |")
    print(f"| mkdocs build, with embedding | {a:.2f} | {', '.join(f'{x:.2f}' for x in with_ext)} |")
    print(f"| mkdocs build, without embedding | {b:.2f} | {', '.join(f'{x:.2f}' for x in without_ext)} |")
    print(f"| embedding overhead | {100 * (a - b) / b:+.1f} % | |")
    print(
        f"| zensical build (build-zensical) | {statistics.median(zensical):.2f} | "
        f"{', '.join(f'{x:.2f}' for x in zensical)} |"
    )
    print(
        f"| prose save → served (`mkdocs serve --dirty`) | {statistics.median(latencies):.2f} | "
        f"{', '.join(f'{x:.2f}' for x in latencies)} |"
    )
    return 0
