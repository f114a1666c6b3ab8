"""``make bench``: the e-mail ingestion benchmark.

Generates the seeded corpus, then times, at two corpus sizes:
relaydesk's ``import-mail`` on SQLite and on PostgreSQL, the standard
library's parsing alone (the ceiling), and django-helpdesk's ``get_email``
(the peer, on the smaller size). Prints a table of medians and writes
``bench/out/results.json``. docs/benchmarks.md explains the method.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

import corpus
import machine
import peer
import report
from measure import ChildFailed, run_checked
from relaydesk_import import run_import, startup_seconds

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/rd_bench"
# relaydesk configurations: name -> (database, extra import-mail arguments).
# import-mail parses in CPU-count worker processes by default; "--workers 0"
# parses in the main process, like the single-process ceiling.
CONFIGURATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sqlite": ("sqlite", ()),
    "sqlite, --workers 0": ("sqlite", ("--workers", "0")),
    "postgresql": ("postgresql", ()),
    "postgresql, --workers 0": ("postgresql", ("--workers", "0")),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark e-mail ingestion.")
    parser.add_argument("--messages", type=int, default=10_000, help="large corpus size")
    parser.add_argument("--small", type=int, help="small corpus size (default: messages / 4)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement")
    parser.add_argument(
        "--large-repeats",
        type=int,
        default=1,
        help="runs per measurement at the large size (default 1, to stay near 20 minutes)",
    )
    parser.add_argument("--peer-messages", type=int, help="peer subset size (default: small)")
    parser.add_argument("--quick", action="store_true", help="1,000 messages, one run each")
    parser.add_argument("--skip-peer", action="store_true", help="do not run django-helpdesk")
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument(
        "--skip-single-process",
        action="store_true",
        help="do not measure import-mail with --workers 0",
    )
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED, help="corpus seed")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out", help="output folder")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL),
        help="database to drop and re-create for each PostgreSQL run",
    )
    args = parser.parse_args()
    if args.quick:
        args.messages, args.repeats, args.large_repeats = 1_000, 1, 1
    args.small = args.small or args.messages // 4
    args.peer_messages = args.peer_messages or args.small
    if not 0 < args.small <= args.messages or args.peer_messages > args.messages:
        parser.error("sizes must satisfy 0 < --small <= --messages and --peer-messages <= it")
    return args


def log(text: str) -> None:
    print(text, flush=True)


def ensure_corpus(out: Path, count: int, seed: int) -> Path:
    """Generate the corpus unless one from the same generator and seed is big enough."""
    corpus_dir = out / "corpus"
    stamp_path = corpus_dir / "stamp.json"
    wanted = {"generator": corpus.GENERATOR_VERSION, "seed": seed}
    if stamp_path.exists():
        stamp = json.loads(stamp_path.read_text())
        if stamp.get("count", 0) >= count and {k: stamp.get(k) for k in wanted} == wanted:
            return corpus_dir
    shutil.rmtree(corpus_dir, ignore_errors=True)
    log(f"generating {count} messages into {corpus_dir} ...")
    started = time.perf_counter()
    corpus.generate(corpus_dir, count, seed)
    stamp_path.write_text(json.dumps({**wanted, "count": count}))
    log(f"  done in {time.perf_counter() - started:.1f} s")
    return corpus_dir


def size_dir(out: Path, corpus_dir: Path, count: int) -> Path:
    """Return a folder of hard links to the first ``count`` corpus files."""
    folder = out / "sizes" / str(count)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for entry in corpus.load_manifest(corpus_dir, count):
        os.link(corpus_dir / entry.file, folder / entry.file)
    return folder


def measure_ceiling(corpus_dir: Path, count: int) -> dict:
    command = [sys.executable, str(BENCH_DIR / "ceiling.py"), str(corpus_dir)]
    result = run_checked([*command, "--messages", str(count)], env=dict(os.environ))
    run = {**json.loads(result.stdout), "max_rss_kib": result.max_rss_kib}
    log(f"  ceiling {count}: {count / run['seconds']:.0f} msg/s")
    return run


def measure_relaydesk(args: argparse.Namespace, name: str, count: int, folder: Path) -> dict:
    backend, extra = CONFIGURATIONS[name]
    run = run_import(backend, folder, args.out / "corpus", count, args.postgres_url, extra)
    log(
        f"  relaydesk {name} {count}: {count / run.seconds:.0f} msg/s, "
        f"{run.max_rss_kib / 1024:.0f} MiB, threading misses {run.threading['misses']}"
    )
    return asdict(run)


def measure_peer(python: Path, args: argparse.Namespace, files: list[Path]) -> dict:
    run = peer.run_peer(python, args.out / "peer-project", files)
    log(
        f"  django-helpdesk {run.messages}: {run.messages / run.seconds:.0f} msg/s, "
        f"{run.tickets} tickets, {run.followups} follow-ups"
    )
    return asdict(run)


def run_rounds(args: argparse.Namespace, corpus_dir: Path, sizes: dict[int, Path], results: dict):
    """Run every measurement once per round, so load from other processes hits all alike."""
    backends = [b for b in CONFIGURATIONS if _wanted(args, b)]
    relaydesk: dict = {b: {"startup_seconds": None, "sizes": {}} for b in backends}
    results["relaydesk"] = relaydesk
    for backend in backends:
        database, extra = CONFIGURATIONS[backend]
        try:
            relaydesk[backend]["startup_seconds"] = startup_seconds(
                database, args.postgres_url, extra
            )
        except ChildFailed as error:
            relaydesk[backend]["error"] = str(error)
            log(f"  relaydesk {backend} could not be prepared: {error}")
    peer_python = None if args.skip_peer else peer.ensure_venv(args.out)
    peer_files = [corpus_dir / e.file for e in corpus.load_manifest(corpus_dir, args.peer_messages)]
    peer_runs: list[dict] = []

    for number in range(max(args.repeats, args.large_repeats)):
        log(f"round {number + 1}")
        for count, folder in sizes.items():
            if number >= (args.large_repeats if count == args.messages else args.repeats):
                continue
            results["ceiling"].setdefault(str(count), []).append(measure_ceiling(corpus_dir, count))
            for backend in backends:
                if "error" in relaydesk[backend]:
                    continue
                try:
                    run = measure_relaydesk(args, backend, count, folder)
                except ChildFailed as error:
                    relaydesk[backend]["error"] = str(error)
                    log(f"  relaydesk {backend} failed: {error}")
                    continue
                relaydesk[backend]["sizes"].setdefault(str(count), []).append(run)
        if peer_python is not None and number < args.repeats and "peer_error" not in results:
            try:
                peer_runs.append(measure_peer(peer_python, args, peer_files))
            except ChildFailed as error:
                results["peer_error"] = str(error)
                log(f"  django-helpdesk failed: {error}")

    if peer_python is not None:
        version = peer.peer_version(peer_python)
        results["peer"] = {"version": version, "messages": args.peer_messages, "runs": peer_runs}


def _wanted(args: argparse.Namespace, name: str) -> bool:
    database, extra = CONFIGURATIONS[name]
    if database == "postgresql" and args.skip_postgres:
        return False
    return not (extra and args.skip_single_process)


def main() -> None:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus_dir = ensure_corpus(args.out, args.messages, args.seed)
    counts = sorted({args.small, args.messages})
    sizes = {count: size_dir(args.out, corpus_dir, count) for count in counts}
    results: dict = {
        "machine": machine.describe(None if args.skip_postgres else args.postgres_url),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "mix": corpus.describe_mix(corpus.load_manifest(corpus_dir, args.messages), corpus_dir),
        "load_average_before": os.getloadavg(),
        "ceiling": {},
    }

    run_rounds(args, corpus_dir, sizes, results)
    results["load_average_after"] = os.getloadavg()
    results["summary"] = report.summarize(results)
    path = args.out / "results.json"
    path.write_text(json.dumps(results, indent=2))
    (args.out / "results.md").write_text(report.render_markdown(results))
    log("")
    log(report.render_table(results))
    log(f"\nresults written to {path}")


if __name__ == "__main__":
    main()
