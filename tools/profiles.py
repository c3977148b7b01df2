"""Profiles: where a snippet runs, under which pinned numerics, and how a re-run is compared.

The one home for what "cpu" and "cuda" mean. Each `Profile` says:

- its name (the folder under recordings/) and the label readers see (tabs, report);
- how to detect that this machine can run it, and the torch device its snippets use;
- the environment every snippet process of the profile gets (`pinned_env`): for cpu, a pinned
  numeric setting, so that the same code, data and library versions give the same bits on any
  x86-64 CPU with AVX2, Intel or AMD, with or without AVX-512;
- `numerics(threads)`: the name of the numeric setting this machine gives, recorded with every
  output; two runs are bit-comparable when their torch, transformers and numerics agree;
- how a re-execution is compared with its recording: `exact` (every byte and pixel) when the
  numeric environment matches, a stated tolerance (numbers within rel/abs, text exact) otherwise;
- the one command that re-records a snippet.

Why these variables (measured: a small GPT-2 and BERT hashed after 50 AdamW steps, one machine):
ATen's kernel ISA, MKL's vendor dispatch (a shim making MKL take its non-Intel path changed the
bits), oneDNN's ISA and the thread count each change the trained weights; with the pin below the
hashes were identical with and without the MKL shim. AVX2 is the widest ISA every x86-64 CPU
sold since 2015 has (Intel Haswell, AMD Excavator/Zen); MKL's conditional numerical
reproducibility (`MKL_CBWR=COMPATIBLE`) is the mode Intel documents as reproducible on Intel and
non-Intel processors alike.

Standard library only: the runner, the checks and the site hooks import it without torch.
"""

from __future__ import annotations

import platform
import re
import shlex
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "CPU",
    "CUDA",
    "DEFAULT_THREADS",
    "NUMERIC_KEYS",
    "PROFILES",
    "PROFILE_NAMES",
    "Profile",
    "Tolerance",
    "get",
    "shell_exports",
]

DEFAULT_THREADS = 2
# The environment keys that decide whether two runs can be compared bit for bit. Python version
# and CPU model are provenance only: shown on the page, never a reason to compare loosely.
NUMERIC_KEYS = ("torch", "transformers", "numerics")


@dataclass(frozen=True)
class Tolerance:
    """How far a re-run may be from its recording. `exact` compares bytes and pixels; otherwise
    text outside numbers must match exactly, each number within `abs_tol + rel_tol * |recorded|`,
    and at most `pixel_share` of a figure's pixels may differ."""

    exact: bool = False
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    pixel_share: float = 0.0
    source: str = ""  # where the figures come from (a measurement, or why they are a guess)

    def describe(self) -> str:
        if self.exact:
            return "exact (every character and pixel)"
        return (
            f"numbers within {self.rel_tol:g} relative + {self.abs_tol:g} absolute, text "
            f"exact, up to {self.pixel_share:.0%} of a figure's pixels ({self.source})"
        )


EXACT = Tolerance(exact=True, source="pinned numerics: the same bits are expected")


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _x86_avx2() -> bool:
    """True on an x86-64 CPU with AVX2 and FMA (unknown flags off Linux: assume a modern CPU)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    flags = _cpu_flags()
    return not flags or {"avx2", "fma"} <= flags


def _has_nvidia() -> bool:
    return Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi") is not None


@dataclass(frozen=True)
class Profile:
    name: str  # folder under recordings/, value of --profile
    label: str  # what readers see on tabs and in the report
    torch_device: str  # the device string the snippets pass to torch
    required: bool  # a missing recording is an error (cpu) or just not shown (optional GPU)
    same_numerics: Tolerance  # comparison when the numeric environment is the recording's
    other_numerics: Tolerance  # comparison when it is not (other versions, CPU without AVX2)
    pinned_env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    numerics_name: Callable[[int], str] = lambda threads: "unpinned"
    available: Callable[[], bool] = lambda: False

    def environment(self, threads: int) -> dict[str, str]:
        """The variables every snippet process of this profile gets (the pin and the threads).

        OMP_WAIT_POLICY=PASSIVE changes no number, only how idle OpenMP threads wait: with the
        default busy-wait, two snippets of 2 threads each on a 2-core machine (pytest -n 2, or
        any shared CI runner) spin against each other. Measured on gpt2-quickstart at load 7-10
        on 2 cores: 181 CPU-s, 405 s wall busy-waiting; 38 CPU-s, 134 s wall passive; the same
        output byte for byte."""
        return {
            **self.pinned_env,
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "OMP_WAIT_POLICY": "PASSIVE",
        }

    def numerics(self, threads: int = DEFAULT_THREADS) -> str:
        return self.numerics_name(threads)

    def repair_command(self, snippet_id: str) -> str:
        """The one command that re-records a snippet (a GPU profile: on the GPU machine). An id
        that is not a plain word (a recording named `--force.json`) is quoted after `--`, so the
        hint can never turn it into an option."""
        profile = "" if self is CPU else f" --profile {self.name}"
        if re.fullmatch(r"[a-z0-9][a-z0-9-]*", snippet_id):
            return f"python -m tools run {snippet_id} --force{profile}"
        return f"python -m tools run --force{profile} -- {shlex.quote(snippet_id)}"


def _cpu_numerics(threads: int) -> str:
    if _x86_avx2():
        return f"x86-64 AVX2 pin (ATen avx2, MKL CNR compatible, oneDNN AVX2), {threads} threads"
    return f"unpinned {platform.machine() or 'CPU'}, {threads} threads"


CPU = Profile(
    name="cpu",
    label="CPU",
    torch_device="cpu",
    required=True,
    same_numerics=EXACT,
    # Another torch or a CPU the pin does not cover: training runs of a few hundred steps drift
    # by a few percent (measured across ATen ISAs on one machine, see tools/bench_numerics.py).
    other_numerics=Tolerance(
        rel_tol=0.25,
        abs_tol=0.02,
        pixel_share=0.25,
        source="across kernel ISAs: `python -m tools bench-numerics`",
    ),
    pinned_env=MappingProxyType(
        {
            "ATEN_CPU_CAPABILITY": "avx2",  # ATen's vectorised kernels: the same ISA everywhere
            "MKL_CBWR": "COMPATIBLE",  # MKL: the same code path on Intel and AMD
            "ONEDNN_MAX_CPU_ISA": "AVX2",  # oneDNN (convolutions, some matmuls)
            "PYTHONHASHSEED": "0",
            "CUDA_VISIBLE_DEVICES": "",  # a cpu recording must not silently use a GPU
        }
    ),
    numerics_name=_cpu_numerics,
    available=lambda: True,
)

CUDA = Profile(
    name="cuda",
    label="GPU",
    torch_device="cuda",
    required=False,
    # Not yet measured on a device (the GPU issue measures run-to-run spread): a stated guess.
    same_numerics=Tolerance(
        rel_tol=0.05, abs_tol=1e-3, pixel_share=0.05, source="guess until measured on a GPU"
    ),
    other_numerics=Tolerance(
        rel_tol=0.25, abs_tol=0.02, pixel_share=0.25, source="guess until measured on a GPU"
    ),
    pinned_env=MappingProxyType(
        {"PYTHONHASHSEED": "0", "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}
    ),  # deterministic cuBLAS
    numerics_name=lambda threads: "cuda",
    available=_has_nvidia,
)

PROFILES: Mapping[str, Profile] = MappingProxyType({p.name: p for p in (CPU, CUDA)})
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; the profiles are {', '.join(PROFILES)}") from None


def shell_exports(profile: Profile, threads: int = DEFAULT_THREADS) -> str:
    """`export NAME=value` lines that give a hand-run snippet the runner's numerics."""
    return (
        "\n".join(f"export {key}={shlex.quote(value)}" for key, value in profile.environment(threads).items())
        + "\n"
    )


# ---------------------------------------------------------------------------------------------
# python -m tools env: the one line a reader needs to get the runner's numbers by hand

HELP = (
    "print the environment the runner gives a profile's snippets (pinned numerics, "
    'threads): eval "$(python -m tools env)" before running snippets/<id>.py by hand'
)


def add_arguments(parser: object) -> None:
    parser.add_argument("--profile", choices=PROFILE_NAMES, default=CPU.name)  # type: ignore[attr-defined]
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)  # type: ignore[attr-defined]


def run(args: object) -> int:
    profile = get(args.profile)  # type: ignore[attr-defined]
    threads = args.threads  # type: ignore[attr-defined]
    print(f"# numerics: {profile.numerics(threads)}")
    print(shell_exports(profile, threads), end="")
    return 0
