"""Reduce benchmark runs to medians and ratios, and print them as a table."""

from __future__ import annotations

from measure import median

# Targets set by the product owner.
TARGET_VS_PEER = 10.0
TARGET_VS_CEILING = 0.60
# Peak memory counts as flat when the large corpus needs at most this much more
# than the small one; start-up and caches make a few percent of noise.
MEMORY_GROWTH_LIMIT = 1.20


def _rate(runs: list[dict], key: str = "seconds") -> float | None:
    """Return the median messages per second, by wall time or (key="cpu_seconds") CPU time."""
    return median([run["messages"] / run[key] for run in runs])


def _relaydesk_size(runs: list[dict]) -> dict[str, object]:
    return {
        "runs": len(runs),
        "rate": _rate(runs),
        "cpu_rate": _rate(runs, "cpu_seconds"),
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
        base = ceiling.get(large, {})
        summary["vs_ceiling"] = _ratio(sizes[large]["rate"], base.get("rate"))
        summary["vs_ceiling_cpu"] = _ratio(sizes[large]["cpu_rate"], base.get("cpu_rate"))
    if peer and str(peer["messages"]) in sizes:
        same_size = sizes[str(peer["messages"])]
        summary["vs_peer"] = _ratio(same_size["rate"], peer["rate"])
        summary["vs_peer_cpu"] = _ratio(same_size["cpu_rate"], peer["cpu_rate"])
    if len(sizes) == 2:
        small, big = sorted(sizes, key=int)
        summary["memory_growth"] = _ratio(sizes[big]["max_rss_mib"], sizes[small]["max_rss_mib"])
    return summary


def summarize(results: dict) -> dict[str, object]:
    large = str(results["args"]["messages"])
    ceiling = {
        size: {"runs": len(runs), "rate": _rate(runs), "cpu_rate": _rate(runs, "cpu_seconds")}
        for size, runs in results["ceiling"].items()
    }
    peer = None
    if results.get("peer", {}).get("runs"):
        runs = results["peer"]["runs"]
        peer = {
            "version": results["peer"]["version"],
            "messages": results["peer"]["messages"],
            "runs": len(runs),
            "rate": _rate(runs),
            "cpu_rate": _rate(runs, "cpu_seconds"),
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
    if higher_is_better:
        return "meets target" if value >= target else "BELOW target"
    return "meets target" if value <= target else "ABOVE limit"


def _row(label: str, messages: object, runs: object, data: dict) -> str:
    memory = _fmt(data.get("max_rss_mib"))
    return (
        f"{label:<40} {messages!s:>6} {runs!s:>4} {_fmt(data['rate']):>7} "
        f"{_fmt(data['cpu_rate']):>9} {memory if data.get('max_rss_mib') else '':>9}"
    )


def _ratio_lines(backend: str, data: dict) -> list[str]:
    vs_peer, vs_ceiling = data.get("vs_peer"), data.get("vs_ceiling")
    growth = data.get("memory_growth")
    misses = [row["threading_misses"] for row in data["sizes"].values()]
    return [
        f"{backend}: relaydesk/peer {_fmt(vs_peer, '{:.1f}x')} wall, "
        f"{_fmt(data.get('vs_peer_cpu'), '{:.1f}x')} CPU "
        f"({_verdict(vs_peer, TARGET_VS_PEER)} {TARGET_VS_PEER:.0f}x)",
        f"{backend}: relaydesk/ceiling {_fmt(vs_ceiling, '{:.0%}')} wall, "
        f"{_fmt(data.get('vs_ceiling_cpu'), '{:.0%}')} CPU "
        f"({_verdict(vs_ceiling, TARGET_VS_CEILING)} {TARGET_VS_CEILING:.0%})",
        f"{backend}: peak memory large/small {_fmt(growth, '{:.2f}x')} "
        f"({_verdict(growth, MEMORY_GROWTH_LIMIT, higher_is_better=False)} "
        f"{MEMORY_GROWTH_LIMIT:.2f}x)",
        f"{backend}: replies not in their parent's ticket: {max(misses, default=None)}",
    ]


def render_table(results: dict) -> str:
    """Format the medians as a plain-text table followed by the ratios and their targets."""
    summary = results["summary"]
    header = f"{'measurement':<40} {'msgs':>6} {'runs':>4} {'msg/s':>7} {'msg/CPU-s':>9}"
    lines = [header + f" {'peak MiB':>9}"]
    for size, data in summary["ceiling"].items():
        lines.append(_row("stdlib parse only (ceiling)", size, data["runs"], data))
    for backend, data in summary["relaydesk"].items():
        for size, row in data["sizes"].items():
            lines.append(_row(f"relaydesk import-mail, {backend}", size, row["runs"], row))
        if "error" in data:
            lines.append(f"relaydesk on {backend} failed: {data['error'].splitlines()[0]}")
    peer = summary["peer"]
    if peer:
        label = f"django-helpdesk {peer['version']} get_email"
        lines.append(_row(label, peer["messages"], peer["runs"], peer))
    lines.append("")
    for backend, data in summary["relaydesk"].items():
        lines += _ratio_lines(backend, data)
    return "\n".join(lines)


def _md_row(cells: list[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _md_context(machine: dict, mix: dict) -> list[str]:
    lines = ["| machine | |", "| --- | --- |"]
    lines += [_md_row([key, value]) for key, value in machine.items()]
    lines += ["", "| corpus | count |", "| --- | --- |"]
    lines += [_md_row([f"kind: {key}", value]) for key, value in sorted(mix["kinds"].items())]
    lines += [_md_row([f"feature: {k}", v]) for k, v in sorted(mix["features"].items())]
    for key in ("bytes_total", "bytes_median", "bytes_max", "over_100kb"):
        lines.append(_md_row([key, mix.get(key)]))
    return lines


def _md_medians(summary: dict) -> list[str]:
    lines = [
        "| measurement | messages | runs | msg/s (wall) | msg/CPU-s | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    ceiling = summary["ceiling"].items()
    rows = [("stdlib parse only (ceiling)", size, data) for size, data in ceiling]
    for backend, data in summary["relaydesk"].items():
        rows += [(f"relaydesk import-mail, {backend}", s, row) for s, row in data["sizes"].items()]
    peer = summary["peer"]
    if peer:
        rows.append((f"django-helpdesk {peer['version']} get_email", peer["messages"], peer))
    for label, size, data in rows:
        memory = _fmt(data["max_rss_mib"]) if data.get("max_rss_mib") else ""
        cells = [label, size, data["runs"], _fmt(data["rate"]), _fmt(data["cpu_rate"]), memory]
        lines.append(_md_row(cells))
    return lines


def render_markdown(results: dict) -> str:
    """Format machine, corpus mix, medians and ratios as Markdown for docs/benchmarks.md."""
    summary = results["summary"]
    lines = _md_context(results["machine"], results["mix"])
    lines += ["", *_md_medians(summary), "", "```"]
    for backend, data in summary["relaydesk"].items():
        lines += _ratio_lines(backend, data)
    lines.append("```")
    return "\n".join(lines) + "\n"
