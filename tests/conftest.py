"""Shared fixtures: build small repository trees in tmp_path, call the tools CLI in-process.

Every test also gets the marker of its layer, so a layer can be selected or left out:

    unit       pure functions and small fixture repositories (seconds)
    minisite   MkDocs or Zensical builds of small fixture sites
    snippets   real snippets re-executed (minutes)
    site       the real site built once (tests/web) and read from disk
    browser    the real site driven in Chromium

`make test-fast` runs `-m "unit or minisite"`; `make test` runs everything under pytest-xdist
(`-n auto --dist loadgroup`): tests that share an expensive module fixture stay on one worker,
and the real site is built once for all workers (tests/web/conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest
from hostile import EN, REC, ZH, english, page

from tools.__main__ import main as tools_main
from tools.programs import collect_programs
from tools.recordings import SCHEMA, Cell, Env, Fingerprint, Provenance, Recording, parse_figure_text
from tools.scripts import extract_scripts

LAYERS = ("unit", "minisite", "snippets", "site", "browser")
# Modules outside tests/web that are not unit tests.
_MODULE_LAYER = {
    "test_execute_snippets.py": "snippets",
    "test_numerics.py": "snippets",
    "test_embed_site.py": "minisite",
    "test_zensical_build.py": "site",  # Zensical builds the real docs/
    "test_serve_index.py": "minisite",
}
# Tests of other modules that run real snippets: nbval executes the downloadable notebooks in a
# kernel (cnn-digits alone takes minutes). Sharded by snippet id like the reproductions.
_TEST_LAYER = {"test_download_notebook_passes_nbval_in_a_fresh_kernel": "snippets"}
_SHARDED = ("test_snippet_reproduces_its_recording", "test_download_notebook_passes_nbval_in_a_fresh_kernel")
# Modules whose expensive module-scoped fixture should run once: their tests share a worker
# (pytest_xdist_make_scheduler below; each other test is scheduled on its own).
_ONE_WORKER = (
    "test_embed_site.py",
    "test_reproduce.py",
    "test_hostile_recordings.py",
    "test_examples_data.py",
)
_BROWSER_FIXTURES = {"browser", "recorded_page", "site_url"}


def layer_of(item: pytest.Item) -> str:
    path = Path(str(item.fspath))
    if "web" in path.parts:
        return "browser" if _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) else "site"
    return _TEST_LAYER.get(getattr(item, "originalname", item.name)) or _MODULE_LAYER.get(path.name, "unit")


def xdist_group_of(nodeid: str) -> str | None:
    """The group a test's node id is scheduled in under `--dist loadgroup`, None for its own."""
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    if module in _ONE_WORKER:
        return module
    if "@" in nodeid and nodeid.rfind("@") > nodeid.rfind("]"):
        return nodeid.rsplit("@", 1)[1]  # an xdist_group mark, where xdist still adds "@group"
    return None


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadgroup`, grouping the _ONE_WORKER modules by their node ids.

    pytest-xdist 3.8 tells the scheduler a test's xdist_group by appending "@group" to its node
    id on the worker, which pytest 9.2's structured node ids ignore: every group was silently
    spread over the workers (pytest-xdist#1386; seen with `-n 2 -v`: no "@" in the ids, one
    module's tests on gw0 and gw1). The scheduler here reads the group from the module name in
    the node id instead, and still honours an "@group" suffix where one arrives."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid) or nodeid

    return ModuleGroupScheduling(config, log)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--snippet-shard",
        default=None,
        metavar="I/N",
        help="run only the I-th of N shards (1-based) of the snippet re-executions, "
        "e.g. one job of a CI matrix; other layers are unaffected",
    )


def select_shard(ids: list[str], shard: int, shards: int) -> set[str]:
    """The ids of shard `shard` of `shards`: every id in exactly one shard, round-robin over
    the sorted ids so the shards differ in size by at most one."""
    if not 1 <= shard <= shards:
        raise pytest.UsageError(f"--snippet-shard {shard}/{shards}: I must be between 1 and N")
    return {snippet_id for number, snippet_id in enumerate(sorted(set(ids))) if number % shards == shard - 1}


def _parse_shard(value: str) -> tuple[int, int]:
    try:
        shard, shards = (int(part) for part in value.split("/"))
    except ValueError:
        raise pytest.UsageError(f"--snippet-shard {value!r}: write I/N, e.g. 2/4") from None
    return shard, shards


def pytest_configure(config: pytest.Config) -> None:
    for layer in LAYERS:
        config.addinivalue_line("markers", f"{layer}: test layer (see tests/conftest.py)")
    config.addinivalue_line("markers", "zensical: builds the real docs/ with Zensical (run serially)")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(getattr(pytest.mark, layer_of(item)))
        name = Path(str(item.fspath)).name
        if name in ("test_zensical_build.py", "test_engines.py"):
            # Zensical copies docs/ while it builds, and a parallel MkDocs build writes generated
            # files there: `make test` runs these after the parallel run, in one process.
            item.add_marker(pytest.mark.zensical)
        elif name in _ONE_WORKER:
            item.add_marker(pytest.mark.xdist_group(name))
    option = config.getoption("--snippet-shard")
    if option:
        runs = [
            item
            for item in items
            if getattr(item, "originalname", None) in _SHARDED and hasattr(item, "callspec")
        ]
        # Shards of every program of the pages (plus any other id collected), so a snippet's
        # shard is the same whichever of its tests are collected.
        from tools.programs import scan_programs

        ids = [item.callspec.id for item in runs] + list(scan_programs(config.rootpath, lang="zh")[0])
        keep = select_shard(ids, *_parse_shard(option))
        dropped = [item for item in runs if item.callspec.id not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if item not in dropped]


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """make_repo({"docs/zh/a.md": "...", ...}) writes the files (str is dedented) under tmp_path."""

    def make(files: dict[str, str | bytes]) -> Path:
        for rel, content in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(dedent(content), encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture
def hostile_repo(make_repo: Callable) -> Callable[..., Path]:
    """hostile_repo(*cells, opts=…, en=…, files=…): zh and en pages (the same program unless en=
    is given), the extracted script, and a previous recording to protect (recordings=True)."""

    def make(
        *cells: str, opts: str = "", en: str | None = None, files: dict | None = None, recordings: bool = True
    ) -> Path:
        zh = page(*cells, opts=opts)
        root = make_repo({ZH: zh, EN: english(zh) if en is None else en, **(files or {})})
        if recordings:
            (root / "recordings/cpu").mkdir(parents=True, exist_ok=True)
            (root / REC).write_text('{"previous": "recording, kept byte for byte"}\n')
        try:
            extract_scripts(root, collect_programs(root))
        except Exception:  # noqa: BLE001 - a page the case makes invalid on purpose
            pass
        return root

    return make


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with a real, fresh recording of a two-cell snippet with one figure (the
    hostile-input tests change copies of it: `recorded`)."""
    root = tmp_path_factory.mktemp("template")
    text = page("print('hello')", "import matplotlib.pyplot as plt\nplt.plot([1, 2])")
    for rel, content in ((ZH, text), (EN, english(text))):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")
    assert tools_main(["run", "--root", str(root), "-q"]) == 0
    assert tools_main(["check", "--root", str(root)]) == 0
    return root


@pytest.fixture
def recorded(template: Path, tmp_path: Path) -> Path:
    """A copy of `template` to break."""
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    return root


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def tools_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """tools_cli(root, "check") runs `python -m tools check --root ROOT` in this process."""

    def call(root: Path, command: str, *args: str) -> CliResult:
        code = tools_main([command, "--root", str(root), *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return call


def recording_of(
    snippet_id: str,
    outputs: list[str],
    *,
    figures: dict[int, list[str]] | None = None,
    profile: str = "cpu",
    page: str = "docs/zh/p.md",
    lines: list[int] | None = None,
    device: str = "CPU: Test (2 threads)",
    duration_s: float = 1.5,
    figure_text: dict[int, list[dict]] | None = None,
    code: str = "0" * 64,
    data: dict[str, str] | None = None,
    env: dict[str, str | None] | None = None,
) -> Recording:
    """A valid Recording (tools.recordings' type): cell i printed outputs[i-1] and drew the
    figures named in `figures[i]`; `figure_text`: cell index → what its figures say (optional)."""
    cells = []
    for index, output in enumerate(outputs, start=1):
        names = tuple((figures or {}).get(index, []))
        texts = figure_text.get(index) if figure_text else None
        cells.append(
            Cell(
                index=index,
                page=page,
                line=lines[index - 1] if lines else index,
                output=output,
                figures=names,
                figure_text=None if texts is None else parse_figure_text(texts, figures=len(names)),
            )
        )
    return Recording(
        schema=SCHEMA,
        id=snippet_id,
        profile=profile,
        status="ok",
        fingerprint=Fingerprint(code=code, data=data or {}),
        env=Env(**(env or {"torch": "2.13.0", "transformers": "5.23.0", "numerics": "test"})),
        provenance=Provenance(
            device=device,
            python="3.11.7",
            torch="2.13.0+cpu",
            transformers="5.23.0",
            threads=2,
            pinned_env={},
            duration_s=duration_s,
            date="2026-11-23T05:00:00+00:00",
            commit="abc1234",
        ),
        cells=tuple(cells),
    )


def fake_recording(
    root: Path,
    snippet_id: str,
    outputs: list[str],
    *,
    figures: dict[int, list[bytes]] | None = None,
    profile: str = "cpu",
    page: str = "docs/zh/p.md",
    device: str = "CPU: Test (2 threads)",
    figure_text: dict[int, list[dict]] | None = None,
) -> Recording:
    """Write a valid recording of `snippet_id` (fresh for the program its pages hold now) with
    the one writer; `figures`: cell index → PNG bytes; `figure_text` as for recording_of."""
    from tools.programs import code_hash, collect_programs, data_files
    from tools.recordings import current_env, data_fingerprint, figure_name, recordings_dir, write_recording

    program = collect_programs(root).get(snippet_id)
    blobs: dict[str, bytes] = {}
    names: dict[int, list[str]] = {}
    for index, datas in (figures or {}).items():
        for number, data in enumerate(datas, start=1):
            name = figure_name(index, number, data)
            blobs[name] = data
            names.setdefault(index, []).append(name)
    recording = recording_of(
        snippet_id,
        outputs,
        figures=names,
        profile=profile,
        page=page,
        device=device,
        figure_text=figure_text,
        code=code_hash(program) if program else "0" * 64,
        data=data_fingerprint(root, data_files(root, program)) if program else {},
        env=current_env(profile),
    )
    write_recording(recordings_dir(root, profile), snippet_id, recording, figures=blobs)
    return recording
