#!/usr/bin/env python3
"""Turns the JSON reports of one bench/suite.sh run into the markdown BENCHMARKS.md records and two SVG plots.

Reads DIR/run.json, latency-*.json, throughput-*-W.json, scale-*.json and agent.json (whatever exists), prints the
tables and the targets of issue 14 with the measured values; with --write FILE the section between
<!-- suite:begin --> and <!-- suite:end --> in FILE is replaced, and with --plots DIR the SVGs are written there.
The SVGs are drawn by hand (no plotting library): lines with points on log axes.
"""
import argparse
import glob
import json
import math
import os
import re
import sys

PLUGINS = [("floor", "AOT floor", "#888888"), ("cniv6", "cniv6", "#1f6fd1"), ("ptp", "ptp+host-local", "#d1521f")]
LABEL = {k: label for k, label, _ in PLUGINS}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def ms(v):
    if v is None:
        return "–"
    return f"{v:.0f} ms" if v >= 100 else f"{v:.1f} ms"


def ratio(a, b):
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.0f}×" if r >= 100 else f"{r:.2f}×"


def stat(report, op, field="p50_ms"):
    if not report:
        return None
    s = report.get(op)
    if not s or s.get("count", 0) == s.get("errors", 0):
        return None
    return s[field]


def errors_of(name, report, ops):
    out = []
    for op in ops:
        s = report.get(op) if report else None
        if s and s.get("errors"):
            out.append(f"{name}: {s['errors']} of {s['count']} {op} failed, first: {s.get('first_error', '')[:300]}")
    return out


def verdict(ok):
    return "met" if ok else "**missed**"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--write")
    ap.add_argument("--plots")
    a = ap.parse_args()
    d = a.dir
    run = load(os.path.join(d, "run.json")) or {}
    lat = {p: load(os.path.join(d, f"latency-{p}.json")) for p, _, _ in PLUGINS}
    tput = {}
    for f in glob.glob(os.path.join(d, "throughput-*-*.json")):
        m = re.match(r"throughput-(\w+)-(\d+)\.json", os.path.basename(f))
        tput.setdefault(m.group(1), {})[int(m.group(2))] = load(f)
    scale = {p: load(os.path.join(d, f"scale-{p}.json")) for p, _, _ in PLUGINS}
    agent = load(os.path.join(d, "agent.json"))
    present = [p for p, _, _ in PLUGINS if lat.get(p)]
    problems = []
    md = []

    md.append(f"Measured {run.get('date', '?')} at commit `{run.get('commit', '?')}` on {run.get('cpus', '?')} CPUs "
              f"({run.get('cpu', '?')}, {run.get('memory_gib', '?')} GiB), kernel {run.get('kernel', '?')}; load average "
              f"{run.get('load_before', '?')} before and {run.get('load_after', '?')} after the run "
              f"({run.get('seconds', 0) // 60} min {run.get('seconds', 0) % 60} s); libcni {run.get('libcni', '?')}, "
              f"reference plugins: Debian containernetworking-plugins {run.get('reference_plugins', '?')}."
              + (" **Quick mode** (a smoke test, not a measurement)." if run.get("quick") else "")
              + (f" {run['note']}" if run.get("note") else ""))
    md.append("")

    # 1. Latency.
    md.append(f"### Latency ({run.get('pods', '?')} pods serially through libcni; ptp+host-local: {run.get('ptp_pods', '?')})")
    md.append("")
    head = "| operation |" + "".join(f" {LABEL[p]} p50 | p90 | p99 |" for p in present)
    head += " cniv6/floor (p50) | ptp/cniv6 (p50) |"
    md.append(head)
    md.append("|---|" + "---:|---:|---:|" * len(present) + "---:|---:|")
    for op, name in [("add", "ADD"), ("check", "CHECK"), ("del", "DEL"),
                     ("first_ping_ipv6", "first ping IPv6 after ADD"), ("first_ping_ipv4", "first ping IPv4 after ADD")]:
        row = f"| {name} |"
        for p in present:
            row += "".join(f" {ms(stat(lat[p], op, f))} |" for f in ("p50_ms", "p90_ms", "p99_ms"))
        row += f" {ratio(stat(lat.get('cniv6'), op), stat(lat.get('floor'), op))} |"
        row += f" {ratio(stat(lat.get('ptp'), op), stat(lat.get('cniv6'), op))} |"
        md.append(row)
    rss = {p: (lat[p] or {}).get("plugin_peak_rss_kib") for p in present}
    md.append("| plugin peak RSS (largest run) |" + "".join(f" {rss[p] / 1024:.1f} MiB | | |" if rss[p] else " – | | |" for p in present)
              + f" {ratio(rss.get('cniv6'), rss.get('floor'))} | {ratio(rss.get('ptp'), rss.get('cniv6'))} |")
    md.append("")
    for p in present:
        problems += errors_of(LABEL[p], lat[p], ["add", "check", "del", "first_ping_ipv6", "first_ping_ipv4"])

    # 2. Throughput.
    if tput:
        ws = sorted({w for p in tput for w in tput[p]})
        md.append(f"### Throughput ({run.get('throughput_pods', '?')} pods per run, operations per second, all workers together)")
        md.append("")
        cols = [p for p, _, _ in PLUGINS if p in tput]
        md.append("| workers |" + "".join(f" {LABEL[p]} ADD/s | CHECK/s | DEL/s |" for p in cols) + " ADD/s cniv6/floor |")
        md.append("|---:|" + "---:|---:|---:|" * len(cols) + "---:|")
        for w in ws:
            row = f"| {w} |"
            for p in cols:
                r = tput[p].get(w)
                row += "".join(f" {r[k]:.1f} |" if r else " – |" for k in ("add_per_s", "check_per_s", "del_per_s"))
                if r:
                    problems += errors_of(f"{LABEL[p]} ({w} workers)", r, ["add", "check", "del"])
            c, f = tput.get("cniv6", {}).get(w), tput.get("floor", {}).get(w)
            row += f" {ratio(c['add_per_s'], f['add_per_s']) if c and f else '–'} |"
            md.append(row)
        md.append("")

    # 3. Pods on the node.
    sc = {p: scale[p] for p, _, _ in PLUGINS if scale.get(p)}
    if sc:
        levels = sorted({lv["pods"] for p in sc for lv in sc[p]["levels"]})
        sample = next(iter(sc.values()))["sample"]
        md.append(f"### Pods on the node (p50 of {sample} pods added, checked and deleted one at a time once the node holds N pods)")
        md.append("")
        md.append("| pods on the node |" + "".join(f" {LABEL[p]} ADD | CHECK | DEL |" for p in sc))
        md.append("|---:|" + "---:|---:|---:|" * len(sc))
        for n in levels:
            row = f"| {n} |"
            for p in sc:
                lv = next((x for x in sc[p]["levels"] if x["pods"] == n), None)
                row += "".join(f" {ms(stat(lv, op))} |" for op in ("add", "check", "del")) if lv else " – | – | – |"
            md.append(row)
        md.append("")
        for p in sc:
            s = sc[p]
            md.append(f"- {LABEL[p]}: filling the node took {s['fill_s']:.0f} s for {s['fill_pods']} pods "
                      f"({s['fill_errors']} failed)" + (f"; first failure: {s['fill_first_error'][:200]}" if s.get("fill_errors") else "")
                      + ".")
            for lv in s["levels"]:
                problems += errors_of(f"{LABEL[p]} at {lv['pods']} pods", lv, ["add", "check", "del"])
        md.append("")

    # 4. Agent.
    if agent:
        md.append("### Agent")
        md.append("")
        md.append("| measurement | value |")
        md.append("|---|---:|")
        for key, name, unit in [
            ("api_nodes", "Nodes served by the fake apiserver", ""),
            ("api_idle_rss_kib", "RSS idle (synced, only its own Node)", "MiB"),
            ("api_idle_peak_kib", "peak RSS idle", "MiB"),
            ("api_sync_s", "initial sync: start → every peer's routes installed", "s"),
            ("api_ready_s", "start → /readyz 200", "s"),
            ("api_rss_kib", "RSS holding the Nodes (after sync)", "MiB"),
            ("api_peak_kib", "peak RSS holding the Nodes", "MiB"),
            ("api_change_add_ms", "one Node added → its routes installed", "ms"),
            ("api_change_del_ms", "one Node deleted → its routes gone", "ms"),
            ("static_peers", "static mode: peers in the configuration file", ""),
            ("static_ready_s", "static mode: start → /readyz 200", "s"),
            ("static_peak_kib", "static mode: peak RSS", "MiB"),
        ]:
            v = agent.get(key)
            if v is None:
                continue
            if unit == "MiB":
                v = f"{v / 1024:.1f} MiB"
            elif unit == "s":
                v = f"{v:.2f} s"
            elif unit == "ms":
                v = f"{v:.0f} ms"
            md.append(f"| {name} | {v} |")
        md.append("")
        problems += agent.get("problems", [])

    # 5. Targets.
    md.append("### Targets (issue 14)")
    md.append("")
    md.append("| target | measured | |")
    md.append("|---|---|---|")

    def target(name, measured, ok):
        md.append(f"| {name} | {measured} | {'–' if ok is None else verdict(ok)} |")

    fa, ca, pa = stat(lat.get("floor"), "add"), stat(lat.get("cniv6"), "add"), stat(lat.get("ptp"), "add")
    fc, cc = stat(lat.get("floor"), "check"), stat(lat.get("cniv6"), "check")
    fd, cd = stat(lat.get("floor"), "del"), stat(lat.get("cniv6"), "del")
    if fa and ca:
        target("ADD p50 ≤ 1.3× the floor", f"{ms(ca)} vs {ms(fa)}: {ratio(ca, fa)}", ca <= 1.3 * fa)
    if fc and cc:
        target("CHECK p50 ≤ floor + 2 ms", f"{ms(cc)} vs {ms(fc)}: +{cc - fc:.1f} ms", cc <= fc + 2)
    if fd and cd:
        target("DEL p50 ≤ floor + 4 ms", f"{ms(cd)} vs {ms(fd)}: +{cd - fd:.1f} ms", cd <= fd + 4)
    if pa and ca:
        target("ADD ≥ 100× faster than ptp's", f"{ratio(pa, ca)}", pa >= 100 * ca)
    c_sc = sc.get("cniv6") if sc else None
    if c_sc and len(c_sc["levels"]) >= 2:
        first, last = c_sc["levels"][0], c_sc["levels"][-1]
        for op, name in (("add", "ADD"), ("check", "CHECK"), ("del", "DEL")):
            a0, a1 = stat(first, op), stat(last, op)
            if a0 and a1:
                target(f"{name} of the {last['pods']}th pod within 1.1× of the {first['pods']}th",
                       f"{ms(a1)} vs {ms(a0)}: {ratio(a1, a0)}", a1 <= 1.1 * a0)
    c4 = tput.get("cniv6", {}).get(4) if tput else None
    if c4:
        target("≥ 80 ADD/s with 4 workers", f"{c4['add_per_s']:.1f}/s", c4["add_per_s"] >= 80)
    p6 = stat(lat.get("cniv6"), "first_ping_ipv6")
    p4 = stat(lat.get("cniv6"), "first_ping_ipv4")
    if p6 is not None:
        target("first packet after ADD immediate", f"IPv6 {ms(p6)}, IPv4 {ms(p4)} (p50)", max(p6, p4 or 0) < 5)
    if rss.get("cniv6"):
        target("plugin peak RSS ≤ 10 MB", f"{rss['cniv6'] / 1024:.1f} MiB ({rss['cniv6'] * 1024 / 1e6:.1f} MB)",
               rss["cniv6"] * 1024 <= 10e6)
    if run.get("cniv6_bytes"):
        b = run["cniv6_bytes"]
        target("binary ≤ 5 MB", f"{b / 1e6:.2f} MB ({b} bytes; floor {run.get('floor_bytes', 0) / 1e6:.2f} MB)", b <= 5e6)
    if agent:
        if agent.get("api_idle_rss_kib"):
            target("agent idle RSS ≤ 40 MB", f"{agent['api_idle_rss_kib'] / 1024:.1f} MiB (peak {agent.get('api_idle_peak_kib', 0) / 1024:.1f} MiB)",
                   agent["api_idle_rss_kib"] * 1024 <= 40e6)
        if agent.get("api_peak_kib"):
            target(f"agent ≤ 100 MB holding {agent.get('api_nodes')} Nodes",
                   f"{agent['api_rss_kib'] / 1024:.1f} MiB (peak {agent['api_peak_kib'] / 1024:.1f} MiB)",
                   agent["api_peak_kib"] * 1024 <= 100e6)
        if agent.get("static_ready_s") is not None:
            target(f"static mode, {agent.get('static_peers')} peers: linear start-up (was 25 s to Ready)",
                   f"{agent['static_ready_s']:.2f} s", None)
    md.append("")
    if problems:
        md.append("Failures in this run:")
        md.append("")
        md += [f"- {p}" for p in problems]
        md.append("")

    if a.plots:
        os.makedirs(a.plots, exist_ok=True)
        rel = os.path.relpath(a.plots, os.path.dirname(os.path.abspath(a.write)) if a.write else ".")
        if sc:
            series = []
            for p in sc:
                color = dict((k, c) for k, _, c in PLUGINS)[p]
                for op, dash in (("add", ""), ("check", "6,3"), ("del", "2,3")):
                    pts = [(lv["pods"], stat(lv, op)) for lv in sc[p]["levels"] if stat(lv, op)]
                    series.append((f"{LABEL[p]} {op.upper()}", color, dash, pts))
            write_svg(os.path.join(a.plots, "latency-vs-pods.svg"),
                      line_chart("Latency (p50) vs pods on the node", "pods on the node", "ms per operation", series))
            md.append(f"![latency vs pods on the node]({rel}/latency-vs-pods.svg)")
        if tput:
            series = []
            for p, _, color in PLUGINS:
                if p not in tput:
                    continue
                for op, dash in (("add", ""), ("del", "2,3")):
                    pts = [(w, tput[p][w][f"{op}_per_s"]) for w in sorted(tput[p])]
                    series.append((f"{LABEL[p]} {op.upper()}", color, dash, pts))
            write_svg(os.path.join(a.plots, "throughput-vs-workers.svg"),
                      line_chart("Throughput vs workers", "workers", "operations per second", series))
            md.append(f"![throughput vs workers]({rel}/throughput-vs-workers.svg)")
        md.append("")

    text = "\n".join(md).rstrip() + "\n"
    sys.stdout.write(text)
    if a.write:
        with open(a.write) as f:
            doc = f.read()
        begin, end = "<!-- suite:begin -->", "<!-- suite:end -->"
        if begin not in doc or end not in doc:
            sys.exit(f"report.py: {a.write} has no {begin} … {end} section")
        doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + doc[doc.index(end):]
        with open(a.write, "w") as f:
            f.write(doc)
        print(f"updated {a.write}", file=sys.stderr)


def write_svg(path, svg):
    with open(path, "w") as f:
        f.write(svg)
    print(f"wrote {path}", file=sys.stderr)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def log_ticks(lo, hi):
    """Decades and their 2 and 5 multiples between lo and hi."""
    ticks = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo * 0.9999 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def fmt_tick(v):
    return f"{v:g}" if v < 10000 else f"{v / 1000:g}k"


def line_chart(title, xlabel, ylabel, series, width=760, height=440):
    """A line chart with log-scaled axes; series are (name, colour, dash, [(x, y)])."""
    series = [s for s in series if s[3]]
    xs = [x for s in series for x, _ in s[3]]
    ys = [y for s in series for _, y in s[3] if y > 0]
    if not xs or not ys:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="80"><text x="10" y="40">{esc(title)}: no data</text></svg>\n'
    x0, x1 = min(xs), max(xs)
    if x0 == x1:
        x1 = x0 * 2
    y0 = 10 ** math.floor(math.log10(min(ys)))
    y1 = 10 ** math.ceil(math.log10(max(ys)))
    if y0 == y1:
        y1 = y0 * 10
    left, right, top, bottom = 70, 200, 40, 60
    pw, ph = width - left - right, height - top - bottom

    def px(x):
        return left + (math.log10(x) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * pw

    def py(y):
        return top + ph - (math.log10(y) - math.log10(y0)) / (math.log10(y1) - math.log10(y0)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left + pw / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>']
    for t in log_ticks(y0, y1):
        y = py(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt_tick(t)}</text>')
    for t in sorted(set(xs)):
        x = px(t)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{fmt_tick(t)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 15}" text-anchor="middle">{esc(xlabel)} (log scale)</text>')
    out.append(f'<text transform="translate(18,{top + ph / 2}) rotate(-90)" text-anchor="middle">{esc(ylabel)} (log scale)</text>')
    for i, (name, color, dash, pts) in enumerate(series):
        pts = [(x, y) for x, y in pts if y > 0]
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for j, (x, y) in enumerate(pts))
        da = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"{da}/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"><title>{esc(name)}: {y:.1f} at {x}</title></circle>')
        ly = top + 10 + i * 18
        out.append(f'<line x1="{left + pw + 12}" y1="{ly}" x2="{left + pw + 40}" y2="{ly}" stroke="{color}" stroke-width="2"{da}/>')
        out.append(f'<text x="{left + pw + 46}" y="{ly + 4}">{esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
