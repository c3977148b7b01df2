"""python -m tools bench-numerics: which CPU settings change the bits, does the pin hold, at what cost.

Three measurements, printed as Markdown for the project's notes (a benchmark, not a test):

1. bits: a small training program (a transformer encoder layer, a convolution and AdamW, the
   kernels the snippets use) hashes its weights under settings that change CPU numerics: ATen's
   kernel ISA, MKL's vendor dispatch (a shim, compiled here from three lines of C, that makes
   MKL take the code path it takes on a non-Intel CPU), oneDNN's ISA and the thread count;
   first unpinned, then under the cpu profile's pin (tools.profiles). The pin holds when every
   pinned row has one hash.
2. cost (--snippets): each snippet run unpinned and pinned, interleaved, --repeats times; medians.
3. drift (--snippets): how far the unpinned run's numbers are from the pinned recording's: the
   data behind the cpu profile's `other_numerics` tolerance.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import profiles

HELP = "which CPU settings change the bits, whether the pin holds, and what it costs"

# Weights after a few training steps, hashed. Standalone: torch only.
PROBE = """\
import hashlib
import torch

torch.manual_seed(0)
layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, batch_first=True)
conv = torch.nn.Conv1d(64, 64, kernel_size=3, padding=1)
params = list(layer.parameters()) + list(conv.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-3)
data = torch.Generator().manual_seed(1)
for step in range(20):
    x = torch.randn(8, 32, 64, generator=data)
    y = conv(layer(x).transpose(1, 2)).transpose(1, 2)
    loss = (y - x).pow(2).mean() + torch.log_softmax(y, -1).exp().var()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
digest = hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in params)).hexdigest()
print(digest[:16], f"{loss.item():.9f}", torch.backends.cpu.get_cpu_capability())
"""

# Makes MKL believe the CPU is not an Intel one: the dispatch an AMD CPU gets.
MKL_SHIM = """\
int mkl_serv_intel_cpu_true(void) { return 0; }
int mkl_serv_intel_cpu(void) { return 0; }
"""

_NUMERIC_VARS = (
    "ATEN_CPU_CAPABILITY",
    "MKL_CBWR",
    "ONEDNN_MAX_CPU_ISA",
    "MKL_ENABLE_INSTRUCTIONS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "LD_PRELOAD",
)


def build_mkl_shim(folder: Path) -> Path | None:
    """Compile the MKL vendor shim into `folder`; None without a C compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source, library = folder / "mkl_shim.c", folder / "mkl_shim.so"
    source.write_text(MKL_SHIM, encoding="utf-8")
    done = subprocess.run(
        [compiler, "-shared", "-fPIC", "-O2", "-o", str(library), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    return library if done.returncode == 0 else None


def unpinned_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any numeric setting, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in _NUMERIC_VARS}
    env.update(
        {
            "OMP_NUM_THREADS": str(profiles.DEFAULT_THREADS),
            "MKL_NUM_THREADS": str(profiles.DEFAULT_THREADS),
            **overrides,
        }
    )
    return env


def pinned_env(**outer: str) -> dict[str, str]:
    """What the runner gives a cpu snippet when the caller's environment holds `outer`."""
    env = unpinned_env(**outer)
    env.update(profiles.CPU.environment(profiles.DEFAULT_THREADS))
    return env


def probe(env: dict[str, str], folder: Path) -> str:
    """The probe's printed line (hash, loss, kernel ISA) under `env`."""
    script = folder / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode:
        raise RuntimeError(f"probe failed: {done.stderr[-1000:]}")
    return done.stdout.strip()


def settings(shim: Path | None) -> list[tuple[str, dict[str, str]]]:
    rows = [
        ("unpinned: this CPU's default ISA", unpinned_env()),
        ("unpinned: ATen avx2", unpinned_env(ATEN_CPU_CAPABILITY="avx2")),
        ("unpinned: ATen default (no SIMD)", unpinned_env(ATEN_CPU_CAPABILITY="default")),
        ("unpinned: 1 thread", unpinned_env(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")),
    ]
    if shim:
        rows.append(("unpinned: MKL non-Intel dispatch (shim)", unpinned_env(LD_PRELOAD=str(shim))))
    rows += [
        ("pinned", pinned_env()),
        (
            "pinned, caller sets ATen default + oneDNN AVX512",
            pinned_env(ATEN_CPU_CAPABILITY="default", ONEDNN_MAX_CPU_ISA="AVX512_CORE"),
        ),
    ]
    if shim:
        rows.append(("pinned, MKL non-Intel dispatch (shim)", pinned_env(LD_PRELOAD=str(shim))))
    return rows


def _run_snippet(root: Path, snippet_id: str, env: dict[str, str], folder: Path) -> tuple[float, float, str]:
    """(wall s, CPU s, stdout) of `python snippets/<id>.py` in a scratch copy of its inputs."""
    from tools.execution.runner import _prepare_scratch
    from tools.programs import collect_programs

    program = collect_programs(root)[snippet_id]
    scratch = folder / f"scratch-{snippet_id}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    script = _prepare_scratch(root, program, scratch)
    env = {
        **env,
        "MPLBACKEND": "Agg",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONHASHSEED": "0",
        "TOKENIZERS_PARALLELISM": "false",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, script],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=program.timeout * 3,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{snippet_id} failed: {done.stderr[-1000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def _drift(root: Path, snippet_id: str, output: str) -> str:
    """The largest relative difference between the numbers of an unpinned run and the recording."""
    from tools.checks.reproduce import _NUMBER, _number, mask
    from tools.recordings import load_recording

    recording = load_recording(root, snippet_id, profiles.CPU.name)
    if recording is None:
        return "no recording"
    recorded = mask("".join(cell.output for cell in recording.cells))
    old, new = _NUMBER.findall(recorded), _NUMBER.findall(mask(output))
    if len(old) != len(new):
        return f"{len(old)} numbers recorded, {len(new)} printed (warnings differ)"
    worst = 0.0
    for a, b in zip(old, new, strict=True):
        x, y = _number(a), _number(b)
        if x is not None and y is not None and x != y:
            worst = max(worst, abs(x - y) / max(abs(x), 1e-12))
    changed = sum(1 for a, b in zip(old, new, strict=True) if a != b)
    return f"{changed} of {len(old)} numbers differ, largest relative difference {worst:.3g}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--snippets",
        nargs="*",
        default=None,
        metavar="ID",
        help="also time these snippets pinned vs unpinned (none given: all)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per snippet and setting")


def run(args: argparse.Namespace) -> int:
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    with tempfile.TemporaryDirectory(prefix="bench-numerics-") as name:
        folder = Path(name)
        shim = build_mkl_shim(folder)
        print("| setting | weights sha256 | final loss | ATen ISA |\n| --- | --- | --- | --- |")
        pinned_hashes = set()
        for label, env in settings(shim):
            digest, loss, isa = probe(env, folder).split()
            print(f"| {label} | `{digest}` | {loss} | {isa} |")
            if label.startswith("pinned"):
                pinned_hashes.add(digest)
        print(f"\npin holds: {len(pinned_hashes) == 1} ({len(pinned_hashes)} distinct pinned hash(es))")
        if args.snippets is None:
            return 0 if len(pinned_hashes) == 1 else 1
        from tools.programs import collect_programs

        ids = args.snippets or list(collect_programs(args.root))
        print(
            "\n| snippet | unpinned wall s (median) | pinned wall s | pinned/unpinned wall | "
            "CPU s unpinned | CPU s pinned | unpinned vs recording |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        totals = {"unpinned": 0.0, "pinned": 0.0}
        for snippet_id in ids:
            times: dict[str, list[tuple[float, float]]] = {"unpinned": [], "pinned": []}
            drift = ""
            for _ in range(args.repeats):
                for mode, env in (("unpinned", unpinned_env()), ("pinned", pinned_env())):
                    wall, cpu, out = _run_snippet(args.root, snippet_id, env, folder)
                    times[mode].append((wall, cpu))
                    if mode == "unpinned" and not drift:
                        drift = _drift(args.root, snippet_id, out)
            med = {
                mode: (statistics.median(w for w, _ in rows), statistics.median(c for _, c in rows))
                for mode, rows in times.items()
            }
            for mode in totals:
                totals[mode] += med[mode][0]
            print(
                f"| {snippet_id} | {med['unpinned'][0]:.1f} | {med['pinned'][0]:.1f} | "
                f"{med['pinned'][0] / med['unpinned'][0]:.2f} | {med['unpinned'][1]:.1f} | "
                f"{med['pinned'][1]:.1f} | {drift} |"
            )
        print(
            f"\ntotal of medians: unpinned {totals['unpinned']:.1f} s, pinned {totals['pinned']:.1f} s, "
            f"ratio {totals['pinned'] / max(totals['unpinned'], 1e-9):.2f}; load average after: "
            f"{os.getloadavg()[0]:.2f}"
        )
    return 0 if len(pinned_hashes) == 1 else 1
