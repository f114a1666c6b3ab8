"""Run a child process and measure its wall time and peak memory."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
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


# Linux carries a process's peak RSS across exec, so a child forked from this
# (large) process would report at least this process's size. A small launcher
# in between keeps ru_maxrss down to the measured command's own peak.
_LAUNCHER = """
import json, os, sys, time
result_path, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(result_path, "w") as handle:
    cpu = usage.ru_utime + usage.ru_stime
    json.dump({"seconds": seconds, "cpu": cpu, "maxrss": usage.ru_maxrss}, handle)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_timed(command: list[str], *, env: dict[str, str], cwd: Path | None = None) -> ChildRun:
    """Run ``command`` to completion; time it and read its own peak RSS and CPU time."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        result_path = Path(scratch) / "usage.json"
        out_path, err_path = Path(scratch) / "stdout", Path(scratch) / "stderr"
        launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(result_path), *command]
        with out_path.open("wb") as out, err_path.open("wb") as err:
            process = subprocess.run(launcher, env=env, cwd=cwd, stdout=out, stderr=err)
        usage = json.loads(result_path.read_text()) if result_path.exists() else {}
        return ChildRun(
            seconds=usage.get("seconds", 0.0),
            cpu_seconds=usage.get("cpu", 0.0),
            max_rss_kib=usage.get("maxrss", 0),  # kibibytes on Linux
            returncode=process.returncode,
            stdout=out_path.read_text("utf-8", "replace"),
            stderr=err_path.read_text("utf-8", "replace"),
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
