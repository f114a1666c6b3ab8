"""Run a child process and measure its wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    cpu_seconds: float
    max_rss_kib: int
    returncode: int
    stdout: str
    stderr: str


class ChildFailed(RuntimeError):
    pass


def run_timed(command: list[str], *, env: dict[str, str], cwd: Path | None = None) -> ChildRun:
    """Run ``command`` to completion; time it and read its own peak RSS.

    ``os.wait4`` returns the resource usage of that one child (and the
    descendants it waited for), unlike ``getrusage(RUSAGE_CHILDREN)``, which
    keeps the maximum over every child this process has ever reaped.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            max_rss_kib=usage.ru_maxrss,  # kibibytes on Linux
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def run_checked(command: list[str], *, env: dict[str, str], cwd: Path | None = None) -> ChildRun:
    """Run ``command`` like ``run_timed`` and raise ChildFailed on a non-zero exit."""
    result = run_timed(command, env=env, cwd=cwd)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise ChildFailed(f"{' '.join(command)} exited with {result.returncode}:\n{tail}")
    return result


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
