"""Reduce benchmark runs to medians and ratios, and print them as a table."""

from __future__ import annotations

from measure import median

# Targets set by the product owner.
TARGET_VS_PEER = 10.0
TARGET_VS_CEILING = 0.60
# Peak memory counts as flat when the large corpus needs at most this much more
# than the small one; start-up and caches make a few percent of noise.
MEMORY_GROWTH_LIMIT = 1.20


def _rate(runs: list[dict]) -> float | None:
    return median([run["messages"] / run["seconds"] for run in runs])


def _relaydesk_size(runs: list[dict]) -> dict[str, object]:
    return {
        "runs": len(runs),
        "rate": _rate(runs),
        "seconds": median([run["seconds"] for run in runs]),
        "max_rss_mib": median([run["max_rss_kib"] / 1024 for run in runs]),
        "threading_misses": max(run["threading"]["misses"] for run in runs),
        "replies": runs[0]["threading"]["replies"],
        "import_summary": runs[-1]["summary"],
        "rows": {key: runs[-1]["threading"][key] for key in ("tickets", "messages", "raw_states")},
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _backend_summary(data: dict, ceiling: dict, peer: dict | None, large: str) -> dict:
    sizes = {size: _relaydesk_size(runs) for size, runs in data.get("sizes", {}).items() if runs}
    summary: dict[str, object] = {"sizes": sizes, "startup_seconds": data.get("startup_seconds")}
    if "error" in data:
        summary["error"] = data["error"]
    if large in sizes:
        summary["vs_ceiling"] = _ratio(sizes[large]["rate"], ceiling.get(large, {}).get("rate"))
    if peer and str(peer["messages"]) in sizes:
        summary["vs_peer"] = _ratio(sizes[str(peer["messages"])]["rate"], peer["rate"])
    if len(sizes) == 2:
        small, big = sorted(sizes, key=int)
        summary["memory_growth"] = _ratio(sizes[big]["max_rss_mib"], sizes[small]["max_rss_mib"])
    return summary


def summarize(results: dict) -> dict[str, object]:
    large = str(results["args"]["messages"])
    ceiling = {
        size: {"runs": len(runs), "rate": _rate(runs)} for size, runs in results["ceiling"].items()
    }
    peer = None
    if "peer" in results:
        runs = results["peer"]["runs"]
        peer = {
            "version": results["peer"]["version"],
            "messages": results["peer"]["messages"],
            "runs": len(runs),
            "rate": _rate(runs),
            "max_rss_mib": median([run["max_rss_kib"] / 1024 for run in runs]),
            "tickets": runs[-1]["tickets"],
            "followups": runs[-1]["followups"],
            "files_left": runs[-1]["files_left"],
        }
    backends = {
        name: _backend_summary(data, ceiling, peer, large)
        for name, data in results["relaydesk"].items()
    }
    return {"ceiling": ceiling, "peer": peer, "relaydesk": backends}


def _fmt(value: float | None, pattern: str = "{:.0f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def _verdict(value: float | None, target: float, higher_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    met = value >= target if higher_is_better else value <= target
    return "meets target" if met else "BELOW target" if higher_is_better else "ABOVE limit"


def render_table(results: dict) -> str:
    summary = results["summary"]
    lines = [f"{'measurement':<42} {'msgs':>6} {'runs':>4} {'msg/s':>7} {'peak MiB':>9}"]
    for size, data in summary["ceiling"].items():
        lines.append(
            f"{'stdlib parse only (ceiling)':<42} {size:>6} {data['runs']:>4} "
            f"{_fmt(data['rate']):>7} {'':>9}"
        )
    for backend, data in summary["relaydesk"].items():
        for size, row in data["sizes"].items():
            lines.append(
                f"{'relaydesk import-mail, ' + backend:<42} {size:>6} {row['runs']:>4} "
                f"{_fmt(row['rate']):>7} {_fmt(row['max_rss_mib']):>9}"
            )
        if "error" in data:
            lines.append(f"relaydesk on {backend} failed: {data['error'].splitlines()[0]}")
    peer = summary["peer"]
    if peer:
        label = f"django-helpdesk {peer['version']} get_email"
        lines.append(
            f"{label:<42} {peer['messages']:>6} {peer['runs']:>4} "
            f"{_fmt(peer['rate']):>7} {_fmt(peer['max_rss_mib']):>9}"
        )
    lines.append("")
    for backend, data in summary["relaydesk"].items():
        vs_peer, vs_ceiling = data.get("vs_peer"), data.get("vs_ceiling")
        growth = data.get("memory_growth")
        misses = [row["threading_misses"] for row in data["sizes"].values()]
        lines += [
            f"{backend}: relaydesk/peer {_fmt(vs_peer, '{:.1f}x')} "
            f"({_verdict(vs_peer, TARGET_VS_PEER)}, target {TARGET_VS_PEER:.0f}x)",
            f"{backend}: relaydesk/ceiling {_fmt(vs_ceiling, '{:.0%}')} "
            f"({_verdict(vs_ceiling, TARGET_VS_CEILING)}, target {TARGET_VS_CEILING:.0%})",
            f"{backend}: peak memory large/small {_fmt(growth, '{:.2f}x')} "
            f"({_verdict(growth, MEMORY_GROWTH_LIMIT, higher_is_better=False)}, "
            f"limit {MEMORY_GROWTH_LIMIT:.2f}x)",
            f"{backend}: replies not in their parent's ticket: {max(misses, default=None)}",
        ]
    return "\n".join(lines)
