#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh into the tables and the chart of docs/benchmarks.md.

Usage: report.py RESULTS_DIR MARKDOWN PNG
  RESULTS_DIR  what bench/run.sh wrote: bdn/results/*-report-full.json (BenchmarkDotNet),
               latency.json, stampede.json, redis-down.json, build-time.json, environment.json,
               local-hit.json (item 11's interleaved driver; optional), and
               invalidation.json (item 12, written between '<!-- invalidation:begin -->' and
               '<!-- invalidation:end -->' in the section "Invalidation latency across 4 processes")
  MARKDOWN     the file whose part between the '<!-- results:begin -->' and '<!-- results:end -->'
               markers is replaced (created with just that part if it does not exist)
  PNG          the chart of the ratios

Times from BenchmarkDotNet are the median of the measured iterations (the machine is noisy; the
median resists the odd slow iteration better than the mean). Every ratio is between two figures of
the same run.
"""
import glob
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"
RERUN_BEGIN = "<!-- rerun:begin -->"
RERUN_END = "<!-- rerun:end -->"
INVALIDATION_BEGIN = "<!-- invalidation:begin -->"
INVALIDATION_END = "<!-- invalidation:end -->"


def load(results, name):
    path = os.path.join(results, name + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_bdn(results):
    rows = {}
    host = None
    for path in sorted(glob.glob(os.path.join(results, "bdn", "results", "*-report-full.json"))):
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        host = report["HostEnvironmentInfo"]
        for b in report["Benchmarks"]:
            key = (b["Type"], b["Method"], b["Parameters"] or "")
            per_launch = {}
            for m in b.get("Measurements", []):
                if m["IterationMode"] == "Workload" and m["IterationStage"] == "Result":
                    per_launch.setdefault(m["LaunchIndex"], []).append(m["Nanoseconds"] / m["Operations"])
            rows[key] = {
                "title": b["MethodTitle"].strip("'"),
                "median_ns": b["Statistics"]["Median"],
                "mean_ns": b["Statistics"]["Mean"],
                "bytes": b["Memory"]["BytesAllocatedPerOperation"],
                "launch_medians_ns": [statistics.median(v) for _, v in sorted(per_launch.items())],
            }
    return rows, host


def fmt_time(ns):
    if ns < 1_000:
        return f"{ns:.1f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.1f} µs"
    return f"{ns / 1_000_000:.2f} ms"


def fmt_us(us):
    return f"{us:,.1f} µs" if us < 10_000 else f"{us / 1000:,.1f} ms"


def fmt_bytes(b):
    if b is None:
        return "–"
    if b < 10_000:
        return f"{b:,} B"
    if b < 10_000_000:
        return f"{b / 1024:,.1f} KB"
    return f"{b / 1024 / 1024:,.1f} MB"


def fmt_ratio(r):
    if r is None or math.isnan(r):
        return "–"
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2f}×"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


class Targets:
    """Every target of the issue: its measured value, its limit, and the share of the limit used (<= 1 is met)."""

    def __init__(self):
        self.items = []

    def add(self, item, text, measured, limit, share, met, note=""):
        self.items.append({"item": item, "text": text, "measured": measured, "limit": limit, "share": share, "met": met, "note": note})


def run_table(env, host, partial=False):
    """The first table: when, what and where."""
    sf = "with" if env["singleFlight"] else "**without**"
    dirty = " plus uncommitted changes to AkCache.Runtime" if env["runtimeDirty"] else ""
    if env.get("snapshot"):
        dirty += (" (a snapshot of the committed tree, built apart: the working tree's uncommitted runtime changes were not measured)"
                  if env.get("workingTreeRuntimeDirty") else " (a snapshot of the committed tree, built apart; the working tree had no uncommitted runtime changes)")
    rows = [
        ["when", env["startedUtc"] + " to " + env["finishedUtc"] + " (UTC)"],
        ["AkCache", f"commit `{env['commit']}`{dirty}; runtime {sf} single flight"],
    ]
    if partial:
        rows.append(["items re-run", env.get("only", "")])
    rows += [
        ["machine", f"{host['ProcessorName']}, {host['PhysicalCoreCount']} cores ({host['LogicalCoreCount']} logical), {env['memory']} RAM, {host['OsVersion']}"],
        ["load average before / after", f"{env['loadBefore']} / {env['loadAfter']}"],
        [".NET", f"{host['RuntimeVersion']}, SDK {host['DotNetCliVersion']}, BenchmarkDotNet {host['BenchmarkDotNetVersion']}"],
        ["Redis", f"{env['redis']}, on loopback, started by bench/run.sh"],
        ["peers", env["peers"]],
        ["command", f"`{env['command']}`"],
    ]
    return table(["", ""], rows)


def item2(out, bdn, latency, values, targets, chart_pairs):
    def row(type_, method, params=""):
        return bdn[(type_, method, params)]

    raw = row("RedisHit", "RawRedis")
    lat = {c["Name"]: c for c in latency["Contenders"]}
    names = [
        ("AkCache, Redis hit", "AkCache"),
        ("AkCache async, Redis hit", "AkCacheAsync"),
        ("raw StringGet + MessagePack", "RawRedis"),
        ("raw StringGetAsync + MessagePack", "RawRedisAsync"),
        ("FusionCache GetOrSet, L2 (Redis) hit", "FusionCacheL2"),
        ("HybridCache GetOrCreateAsync, L2 (Redis) hit", "HybridCacheL2"),
    ]
    rows2 = []
    for name, method in names:
        r = row("RedisHit", method)
        s = lat[name]
        rows2.append([name, fmt_time(r["median_ns"]), fmt_bytes(r["bytes"]), fmt_ratio(r["median_ns"] / raw["median_ns"]),
                      fmt_us(s["P50Us"]), fmt_us(s["P99Us"]), fmt_ratio(s["P50Us"] / lat["raw StringGet + MessagePack"]["P50Us"])])
    floors = latency["RedisBenchmarks"]
    rb = sorted(floors, key=lambda f: f["P50Us"])[len(floors) // 2]
    rows2.append(["redis-benchmark -c 1, GET 1 KB (round-trip floor; the median of its runs)", fmt_us(rb["MeanUs"]) + " (mean)", "–", "–", fmt_us(rb["P50Us"]), fmt_us(rb["P99Us"]),
                  fmt_ratio(rb["P50Us"] / lat["raw StringGet + MessagePack"]["P50Us"])])
    out.append("### 2. A Redis hit of a 1 KB value, one caller")
    out.append("")
    out.append(table(["", "time per call (BDN)", "allocated", "÷ raw", "p50 (stopwatch)", "p99 (stopwatch)", "p50 ÷ raw p50"], rows2))
    out.append("")
    out.append(f"Stopwatch loop: {lat['AkCache, Redis hit']['Calls']:,} calls per contender, in 10 interleaved blocks. "
               f"Floor: `{rb['Command']}`, run {len(floors)} times (before, between and after the loops): p50 "
               + ", ".join(f"{f['P50Us']:.0f}" for f in floors) + " µs; "
               + ", ".join(f"{f['RequestsPerSecond']:,.0f}" for f in floors) + " requests/s.")
    out.append("")
    ak2 = row("RedisHit", "AkCache")
    ak_launches = ", ".join(fmt_time(v) for v in ak2["launch_medians_ns"])
    raw_launches = ", ".join(fmt_time(v) for v in raw["launch_medians_ns"])
    out.append(f"BenchmarkDotNet ran each contender in {len(ak2['launch_medians_ns'])} processes, one after the other; the median of each "
               f"process's iterations: AkCache {ak_launches}; raw {raw_launches}. The table pools all iterations.")
    out.append("")
    if values is not None:
        quote = next((v for v in values["StoredBytes"] if v["Value"].startswith("Quote")), None)
        if quote is not None:
            out.append(f"Bytes in Redis: AkCache stores {quote['AkCacheEnvelope']:,} B (its {quote['AkCacheEnvelope'] - quote['AkCachePayload']}-byte header and a "
                       f"{quote['AkCachePayload']:,}-byte payload: every field, as an array); raw and the peers store {quote['OtherBytes']:,} B of "
                       "plain contractless MessagePack (a map keyed by the property names).")
            out.append("")
    r2 = ak2["median_ns"] / raw["median_ns"]
    targets.add(2, "Redis hit ≤ 1.1 × raw StringGet + MessagePack (BenchmarkDotNet)", fmt_ratio(r2), "1.1×", r2 / 1.1, r2 <= 1.1)
    r2p = lat["AkCache, Redis hit"]["P50Us"] / lat["raw StringGet + MessagePack"]["P50Us"]
    targets.add(2, "Redis hit ≤ 1.1 × raw (stopwatch p50, interleaved)", fmt_ratio(r2p), "1.1×", r2p / 1.1, r2p <= 1.1)
    # Each peer against AkCache's call of the same kind: FusionCache's GetOrSet is synchronous, and
    # HybridCache has only an asynchronous API (on this machine an awaited read is much faster than a
    # blocking one, for raw StackExchange.Redis too).
    ak2a = row("RedisHit", "AkCacheAsync")
    r2a = ak2a["median_ns"] / row("RedisHit", "RawRedisAsync")["median_ns"]
    targets.add(2, "async Redis hit ≤ 1.1 × raw StringGetAsync + MessagePack (BenchmarkDotNet)", fmt_ratio(r2a), "1.1×", r2a / 1.1, r2a <= 1.1)
    r2ap = lat["AkCache async, Redis hit"]["P50Us"] / lat["raw StringGetAsync + MessagePack"]["P50Us"]
    targets.add(2, "async Redis hit ≤ 1.1 × raw async (stopwatch p50, interleaved)", fmt_ratio(r2ap), "1.1×", r2ap / 1.1, r2ap <= 1.1)
    r2f = ak2["median_ns"] / row("RedisHit", "FusionCacheL2")["median_ns"]
    r2h = ak2a["median_ns"] / row("RedisHit", "HybridCacheL2")["median_ns"]
    targets.add(2, "faster than FusionCache's L2 hit (both synchronous)", fmt_ratio(r2f), "< 1×", r2f, r2f < 1)
    targets.add(2, "faster than HybridCache's L2 hit (both asynchronous)", fmt_ratio(r2h), "< 1×", r2h, r2h < 1)
    chart_pairs += [("2 Redis hit ÷ raw", r2), ("2 async Redis hit ÷ raw async", r2a), ("2 Redis hit ÷ FusionCache L2", r2f), ("2 async Redis hit ÷ HybridCache L2", r2h)]


def item3(out, bdn, latency, targets, chart_pairs):
    ak3 = bdn[("ConcurrentHit", "AkCache", "")]
    raw3 = bdn[("ConcurrentHit", "RawRedis", "")]
    out.append("### 3. Redis hits from 64 concurrent async callers")
    out.append("")
    out.append(table(["", "time per call", "throughput", "allocated per call", "throughput ÷ raw"], [
        [ak3["title"], fmt_time(ak3["median_ns"]), f"{1e9 / ak3['median_ns']:,.0f} calls/s", fmt_bytes(ak3["bytes"]), fmt_ratio(raw3["median_ns"] / ak3["median_ns"])],
        [raw3["title"], fmt_time(raw3["median_ns"]), f"{1e9 / raw3['median_ns']:,.0f} calls/s", fmt_bytes(raw3["bytes"]), "1.00×"],
    ]))
    out.append("")
    out.append("Each contender ran in {} processes; the median of each process's iterations: AkCache {}; raw {}. "
               "The table pools all iterations.".format(
                   len(ak3["launch_medians_ns"]),
                   ", ".join(fmt_time(v) for v in ak3["launch_medians_ns"]),
                   ", ".join(fmt_time(v) for v in raw3["launch_medians_ns"])))
    out.append("")
    tp = latency["Throughput"]
    out.append(f"Interleaved in one process (stopwatch, {tp['Rounds']} rounds of {tp['CallsPerRound']:,} calls each, AkCache and raw taking turns, "
               f"the order alternating): AkCache {tp['AkCacheCallsPerSecond']:,.0f} calls/s, raw {tp['RawCallsPerSecond']:,.0f} calls/s "
               f"(medians of the rounds), ratio {fmt_ratio(tp['Ratio'])}. BenchmarkDotNet runs every process of one contender, then every "
               "process of the other, a minute or two apart; on this shared virtual machine the same code's throughput drifts by half "
               "within minutes, so the interleaved ratio, where both contenders see the same moments, is the verdict, and "
               "BenchmarkDotNet's is reported next to it.")
    out.append("")
    r3 = raw3["median_ns"] / ak3["median_ns"]
    r3i = tp["Ratio"]
    targets.add(3, "throughput ≥ 0.9 × raw (interleaved in one process: the verdict)", fmt_ratio(r3i), "0.9×", 0.9 / r3i, r3i >= 0.9)
    targets.add(3, "throughput ≥ 0.9 × raw (BenchmarkDotNet, contenders one after the other)", fmt_ratio(r3), "0.9×", 0.9 / r3, r3 >= 0.9)
    chart_pairs.append(("3 64 callers: time ÷ raw (interleaved)", 1 / r3i))


def item10(out, bdn, values, chart_pairs):
    """Item 10: a DataTable of 1,000 rows x 8 columns. No numeric target: reported for information."""
    def row(method):
        return bdn[("DataTableValue", method, "")]

    lat = {c["Name"]: c for c in values["DataTable"]}
    out.append("### 10. A DataTable of 1,000 rows × 8 columns: Redis hit, miss, bytes stored")
    out.append("")
    groups = [
        (("raw StringGet + AkCache's MessagePack DataTable formatter", "HitRaw"), [("AkCache, Redis hit", "HitAkCache"),
                    ("raw StringGet + AkCache's MessagePack DataTable formatter", "HitRaw"),
                    ("raw StringGet + DataTable.ReadXml (schema included)", "HitRawXml")]),
        (("raw GET + build + AkCache's MessagePack formatter + SET", "MissRaw"), [("AkCache miss", "MissAkCache"),
                     ("raw GET + build + AkCache's MessagePack formatter + SET", "MissRaw")]),
    ]
    rows10 = []
    for (base_name, baseline), members in groups:
        base = row(baseline)
        base_p50 = lat[base_name]["P50Us"]
        for name, method in members:
            r = row(method)
            s = lat[name]
            rows10.append([name, fmt_time(r["median_ns"]), fmt_bytes(r["bytes"]), fmt_ratio(r["median_ns"] / base["median_ns"]),
                           fmt_us(s["P50Us"]), fmt_us(s["P99Us"]), fmt_ratio(s["P50Us"] / base_p50)])
    out.append(table(["", "time per call (BDN)", "allocated", "÷ raw", "p50 (stopwatch)", "p99 (stopwatch)", "p50 ÷ raw p50"], rows10))
    out.append("")
    calls = lat["AkCache, Redis hit"]["Calls"]
    out.append(f"The hit rows divide by the raw StringGet with AkCache's formatter, the miss rows by the raw GET + SET. Stopwatch loop: {calls:,} calls per "
               f"contender in {values.get('Blocks', 10)} interleaved blocks. BenchmarkDotNet: each contender in "
               f"{len(row('HitAkCache')['launch_medians_ns'])} processes, pooled; per process, AkCache's hit "
               + ", ".join(fmt_time(v) for v in row("HitAkCache")["launch_medians_ns"]) + ", raw "
               + ", ".join(fmt_time(v) for v in row("HitRaw")["launch_medians_ns"]) + ".")
    out.append("")
    stored = [v for v in values["StoredBytes"] if v["Value"].startswith("DataTable")]
    if stored:
        env_bytes = stored[0]["AkCacheEnvelope"]
        payload = stored[0]["AkCachePayload"]
        rows_b = [["AkCache (envelope: header + payload)", f"{env_bytes:,} B", "1.00×"]]
        rows_b += [[v["Other"], f"{v['OtherBytes']:,} B", fmt_ratio(v["OtherBytes"] / env_bytes)] for v in stored]
        out.append(table(["stored in Redis", "bytes", "÷ AkCache"], rows_b))
        out.append("")
        out.append(f"AkCache's envelope is its {env_bytes - payload}-byte header and exactly the raw contender's {payload:,}-byte payload "
                   "(the benchmark's setup checks it byte for byte).")
        out.append("")
    chart_pairs.append(("10 DataTable hit ÷ raw (same formatter)", row("HitAkCache")["median_ns"] / row("HitRaw")["median_ns"]))
    chart_pairs.append(("10 DataTable miss ÷ raw GET + SET", row("MissAkCache")["median_ns"] / row("MissRaw")["median_ns"]))


def item11(out, bdn, local, targets, chart_pairs):
    """Item 11: the local layer's hit with Redis up (issue 12), BenchmarkDotNet and the interleaved driver."""
    def row(type_, method):
        return bdn[(type_, method, "")]

    out.append("### 11. The local layer's hit with Redis up: `int Add(int a, int b)`")
    out.append("")
    memo = row("LocalHit", "HandWrittenExpiringMemo")
    limit = row("LocalHit", "HandWrittenLimit")
    methods = ["AkCacheLocalHit", "AkCacheKeyAlone", "AkCacheLookupAlone", "AkCacheTaskHit", "AkCacheValueTaskHit",
               "HandWrittenExpiringMemo", "HandWrittenLimit", "FusionCachePrecomputedKey", "HybridCachePrecomputedKey"]
    interleaved = {r["Name"]: r for r in local["Rows"]} if local else {}
    names = {"AkCacheLocalHit": "AkCache, local hit (Redis up)", "AkCacheKeyAlone": "of which: the key alone",
             "AkCacheLookupAlone": "of which: the lookup alone", "AkCacheTaskHit": "AkCache async (Task), local hit",
             "AkCacheValueTaskHit": "AkCache async (ValueTask), local hit", "HandWrittenExpiringMemo": local["Baseline"] if local else "",
             "HandWrittenLimit": "hand-written limit: XxHash128 + ConcurrentDictionary",
             "FusionCachePrecomputedKey": "FusionCache GetOrSet, precomputed key", "HybridCachePrecomputedKey": "HybridCache GetOrCreate, precomputed key"}
    rows11 = []
    for m in methods:
        if ("LocalHit", m, "") not in bdn:
            continue
        r = row("LocalHit", m)
        i = interleaved.get(names[m])
        rows11.append([r["title"], fmt_time(r["median_ns"]), fmt_bytes(r["bytes"]), fmt_ratio(r["median_ns"] / memo["median_ns"]), fmt_ratio(r["median_ns"] / limit["median_ns"]),
                       fmt_time(i["MedianNs"]) if i else "–", f"{fmt_ratio(i['RatioToMemo'])} ({fmt_ratio(i['RatioToMemoP10'])} to {fmt_ratio(i['RatioToMemoP90'])})" if i else "–",
                       fmt_ratio(i["RatioToLimit"]) if i else "–"])
    out.append(table(["", "BDN time", "allocated", "÷ expiring memo", "÷ limit", "interleaved time", "÷ expiring memo (p10 to p90 of rounds)", "÷ limit"], rows11))
    out.append("")
    if local:
        out.append(f"Interleaved: `AkCache.Benchmarks local-hit`, {local['Rounds']} rounds of blocks of about {local['BlockMilliseconds']:.0f} ms per contender, "
                   f"timed with the {local['Clock']}, the empty delegate's {local['EmptyDelegateNs']:.2f} ns taken off; each round's ratio is to the memo of the same round.")
        out.append("")
    hit = row("LocalHit", "AkCacheLocalHit")
    r11 = hit["median_ns"] / memo["median_ns"]
    targets.add(11, "local hit ≤ 1.5 × the hand-written expiring memo (BenchmarkDotNet)", fmt_ratio(r11), "1.5×", r11 / 1.5, r11 <= 1.5)
    if local and names["AkCacheLocalHit"] in interleaved:
        r11i = interleaved[names["AkCacheLocalHit"]]["RatioToMemo"]
        targets.add(11, "local hit ≤ 1.5 × the hand-written expiring memo (interleaved)", fmt_ratio(r11i), "1.5×", r11i / 1.5, r11i <= 1.5)
    allocated = max(row("LocalHit", m)["bytes"] or 0 for m in ["AkCacheLocalHit", "AkCacheTaskHit", "AkCacheValueTaskHit"] if ("LocalHit", m, "") in bdn)
    targets.add(11, "0 B per local hit (sync, Task, ValueTask)", fmt_bytes(allocated), "0 B", None, allocated == 0)
    peers = min(row("LocalHit", m)["median_ns"] for m in ["FusionCachePrecomputedKey", "HybridCachePrecomputedKey"])
    targets.add(11, "faster than FusionCache's and HybridCache's memory hits", fmt_time(hit["median_ns"]), fmt_time(peers), hit["median_ns"] / peers, hit["median_ns"] < peers)
    chart_pairs.append(("11 local hit ÷ expiring memo", r11))
    if has_bdn(bdn, "LocalHitRecord"):
        ak = row("LocalHitRecord", "AkCacheLocalHitRecord")
        hy = row("LocalHitRecord", "HybridCacheRecord")
        out.append(table(["mutable 1 KB record (a copy per hit)", "time", "allocated", "÷ HybridCache"], [
            [ak["title"], fmt_time(ak["median_ns"]), fmt_bytes(ak["bytes"]), fmt_ratio(ak["median_ns"] / hy["median_ns"])],
            [hy["title"], fmt_time(hy["median_ns"]), fmt_bytes(hy["bytes"]), "1.00×"],
        ]))
        out.append("")
        rr = ak["median_ns"] / hy["median_ns"]
        targets.add(11, "local hit of a mutable 1 KB record faster than HybridCache's", fmt_ratio(rr), "1.0×", rr, rr < 1)
        chart_pairs.append(("11 mutable record hit ÷ HybridCache", rr))


def serializers(out, bdn):
    """The serializers alone (no Redis), where items 2, 4 and 10 spend their time besides the round trip."""
    def row(method):
        return bdn[("Serializers", method, "")]

    out.append("### The serializers alone (no Redis)")
    out.append("")
    rows_s = []
    for category, members, baseline in [
        ("1 KB Quote, deserialize", [("plain MessagePack, contractless (raw and the peers; 1,024 B, a map)", "QuoteReadContractless"),
                                     ("AkCache's faithful resolver (its payload, every field as an array)", "QuoteReadFaithful")], "QuoteReadContractless"),
        ("1 KB Quote, serialize", [("plain MessagePack, contractless", "QuoteWriteContractless"),
                                   ("AkCache's faithful resolver", "QuoteWriteFaithful")], "QuoteWriteContractless"),
        ("DataTable, 1,000 × 8", [("AkCache's DataTable formatter, deserialize", "TableRead"),
                                  ("AkCache's DataTable formatter, serialize", "TableWrite"),
                                  ("building the table (the miss's computation)", "TableBuild")], None),
    ]:
        for name, method in members:
            r = row(method)
            ratio = fmt_ratio(r["median_ns"] / row(baseline)["median_ns"]) if baseline else "–"
            rows_s.append([category, name, fmt_time(r["median_ns"]), fmt_bytes(r["bytes"]), ratio])
    out.append(table(["value", "", "time", "allocated", "÷ contractless"], rows_s))
    out.append("")


def targets_table(out, targets):
    out.append("### Targets")
    out.append("")
    out.append(table(["item", "target", "measured", "limit", "met"],
                     [[t["item"], t["text"], t["measured"], t["limit"], "yes" if t["met"] else "**no**"] for t in targets.items]))
    out.append("")


def replace_between(markdown_path, begin, end, generated):
    if os.path.exists(markdown_path):
        with open(markdown_path, encoding="utf-8") as f:
            text = f.read()
        if begin in text and end in text:
            text = text[: text.index(begin)] + generated + text[text.index(end) + len(end):]
        else:
            text = text.rstrip() + "\n\n" + generated + "\n"
    else:
        text = generated + "\n"
    with open(markdown_path, "w", encoding="utf-8") as f:
        f.write(text)


def load_optional(results, name):
    path = os.path.join(results, name + ".json")
    return load(results, name) if os.path.exists(path) else None


def has_bdn(bdn, type_):
    return any(t == type_ for (t, _, _) in bdn)


def invalidation(markdown_path, inv, env):
    """Item 12, between its own markers in the section "Invalidation latency across 4 processes"."""
    dirty = " plus uncommitted changes to AkCache.Runtime" if env["runtimeDirty"] else ""
    if env.get("snapshot"):
        dirty += " (a snapshot of the committed tree, built apart)"
    out = [INVALIDATION_BEGIN, "", "<!-- Generated by bench/report.py from invalidation.json; edit the script, not this part. -->", ""]
    servers = ", ".join(f"{s['Server']} {s['Version']}" for s in inv["Servers"])
    clock = "; ".join(f"{s['Server']}: {s['Clock']['Samples']} samples, widest bracket {s['Clock']['WidestBracketMs']:.3f} ms" for s in inv["Servers"])
    out.append(table(["", ""], [
        ["when", env["startedUtc"] + " to " + env["finishedUtc"] + " (UTC)"],
        ["AkCache", f"commit `{env['commit']}`{dirty}"],
        ["servers", f"{servers}, on loopback, each started by the driver for this item alone"],
        ["load average before / after", f"{inv['LoadBefore']} / {inv['LoadAfter']} (the whole script: {env['loadBefore']} / {env['loadAfter']})"],
        ["rounds", f"{inv['Rounds']} per kind and server, after {inv['WarmUpRounds']} uncounted; {inv['Processes']} processes polling every {inv['PollSleepMs']} ms; a process that still serves the old value {inv['PollTimeoutMs']:,} ms after the change counts as stale"],
        ["clock check", f"every worker's Stopwatch timestamp fell between the driver's before and after asking ({clock})"],
        ["command", f"`{env['command']}`"],
    ]))
    out.append("")
    rows = []
    for s in inv["Servers"]:
        for k in s["Kinds"]:
            met = "yes" if k["MeetsTarget"] else "**no**"
            stale = f"{k['Stale']}" if k["Stale"] == 0 else f"**{k['Stale']}** (in {k['StaleRounds']} rounds)"
            rows.append([f"{s['Server']}: {k['Label']}", f"{k['Rounds']}", stale,
                         f"{k['StoppedP50Ms']:.1f} ms", f"{k['StoppedP99Ms']:.1f} ms", f"{k['StoppedMaxMs']:.1f} ms",
                         f"{k['SlowestP50Ms']:.1f} ms", f"**{k['SlowestP99Ms']:.1f} ms**",
                         f"{k['InHandP50Ms']:.1f} ms", f"{k['ChangeCallP50Ms']:.1f} ms", met])
    out.append(table(["change", "rounds", "stale", "p50", "p99", "max", "last of 4: p50", "last of 4: p99",
                      "new value in hand: p50", "the change's own call: p50", f"≤ {inv['TargetMs']} ms p99, none stale"], rows))
    out.append("")
    out.append("p50, p99 and max: over every process and round, from the start of the change (the driver's command, or the "
               "AkCache call in the process that made it) to the start of the process's first call that did not return the old value. "
               "\"Last of 4\": the slowest of the 4 processes in each round, what \"every process\" waits for; the target is judged on its p99. "
               "\"New value in hand\": to the end of that call (it may have computed, or waited for another process's computation).")
    out.append("")
    out.append(INVALIDATION_END)
    replace_between(markdown_path, INVALIDATION_BEGIN, INVALIDATION_END, "\n".join(out))
    print(f"Wrote item 12 into {markdown_path}")
    for s in inv["Servers"]:
        for k in s["Kinds"]:
            print(f"  item 12: {s['Server']} {k['Kind']}: last of 4 p99 {k['SlowestP99Ms']:.1f} ms, stale {k['Stale']} -> {'met' if k['MeetsTarget'] else 'MISSED'}")


def partial(results, markdown_path):
    """The items of `bench/run.sh --only ITEMS`, between their own markers."""
    env = load(results, "environment")
    inv = load_optional(results, "invalidation")
    if inv is not None:
        invalidation(markdown_path, inv, env)
    bdn, host = load_bdn(results)
    if inv is not None and not bdn:
        return
    latency = load_optional(results, "latency")
    values = load_optional(results, "values")
    targets = Targets()
    chart_pairs = []
    out = [RERUN_BEGIN, "", "<!-- Generated by bench/report.py --partial from the re-run below; edit the script, not this part. -->", ""]
    out.append("### The re-run")
    out.append("")
    out.append(run_table(env, host, partial=True))
    out.append("")
    done = []
    if latency is not None and has_bdn(bdn, "RedisHit"):
        item2(out, bdn, latency, values, targets, chart_pairs)
        done.append("2")
    if latency is not None and has_bdn(bdn, "ConcurrentHit"):
        item3(out, bdn, latency, targets, chart_pairs)
        done.append("3")
    if values is not None and has_bdn(bdn, "DataTableValue"):
        item10(out, bdn, values, chart_pairs)
        done.append("10")
    if has_bdn(bdn, "Serializers"):
        serializers(out, bdn)
    if has_bdn(bdn, "LocalHit"):
        item11(out, bdn, load_optional(results, "local-hit"), targets, chart_pairs)
        done.append("11")
    if not done:
        sys.exit(f"{results} holds no results of items 2, 3, 10 or 11.")
    if targets.items:
        targets_table(out, targets)
    out.append("AkCache time ÷ the other's, from this re-run: " + "; ".join(f"{n}: {fmt_ratio(v)}" for n, v in chart_pairs) + ".")
    out.append("")
    out.append(RERUN_END)
    replace_between(markdown_path, RERUN_BEGIN, RERUN_END, "\n".join(out))
    print(f"Wrote items {', '.join(done)} into {markdown_path}")
    for t in targets.items:
        print(f"  item {t['item']}: {t['text']}: {t['measured']} (limit {t['limit']}) -> {'met' if t['met'] else 'MISSED'}")


def main():
    if sys.argv[1] == "--partial":
        partial(*sys.argv[2:4])
        return
    results, markdown_path, png_path = sys.argv[1:4]
    bdn, host = load_bdn(results)
    env = load(results, "environment")
    latency = load(results, "latency")
    values = load_optional(results, "values")
    stampede = load(results, "stampede")
    down = load(results, "redis-down")
    build = load(results, "build-time")
    targets = Targets()
    chart_pairs = []  # (label, AkCache time / other time)

    def row(type_, method, params=""):
        return bdn[(type_, method, params)]

    out = []
    out.append(BEGIN)
    out.append("")
    out.append("<!-- Generated by bench/report.py from the run below; edit the script, not this part. -->")
    out.append("")
    out.append("### The run")
    out.append("")
    out.append(run_table(env, host))
    out.append("")
    # Item 1
    base = row("InProcessHit", "HandWrittenLimit")
    mem = row("InProcessHit", "AkCacheMemoryLayer")
    via_redis = row("InProcessHitViaRedis", "AkCacheRedisHit")
    raw_int = row("InProcessHitViaRedis", "RawRedisInt")
    item1 = [
        ("AkCache, memory layer (Redis down)", mem),
        ("of which: the key alone (BeginKey, Add ×2, Complete)", row("InProcessHit", "AkCacheKeyAlone")),
        ("of which: the lookup alone (Invoke with the key precomputed)", row("InProcessHit", "AkCacheLookupAlone")),
        ("hand-written: XxHash128 + ConcurrentDictionary (the limit)", base),
        ("FusionCache GetOrSet, precomputed key", row("InProcessHit", "FusionCachePrecomputedKey")),
        ("FusionCache GetOrSet, key built per call", row("InProcessHit", "FusionCacheKeyPerCall")),
        ("HybridCache GetOrCreate, precomputed key", row("InProcessHit", "HybridCachePrecomputedKey")),
        ("HybridCache GetOrCreate, key built per call", row("InProcessHit", "HybridCacheKeyPerCall")),
        ("plain call, not cached", row("InProcessHit", "PlainCall")),
        ("AkCache, Redis hit (Redis up: today's default path)", via_redis),
        ("raw StringGet + MessagePack of the int (Redis floor)", raw_int),
    ]
    out.append("### 1. A hit served in-process: `int Add(int a, int b)`")
    out.append("")
    out.append(table(["", "time per call", "allocated", "÷ hand-written"],
                     [[n, fmt_time(r["median_ns"]), fmt_bytes(r["bytes"]), fmt_ratio(r["median_ns"] / base["median_ns"])] for n, r in item1]))
    out.append("")
    ratio1 = mem["median_ns"] / base["median_ns"]
    targets.add(1, "memory-layer hit ≤ 1.5 × hand-written", fmt_ratio(ratio1), "1.5×", ratio1 / 1.5, ratio1 <= 1.5)
    targets.add(1, "0 bytes allocated (primitive arguments)", fmt_bytes(mem["bytes"]), "0 B", None, mem["bytes"] == 0)
    fusion_best = row("InProcessHit", "FusionCachePrecomputedKey")
    hybrid_best = row("InProcessHit", "HybridCachePrecomputedKey")
    r_f = mem["median_ns"] / fusion_best["median_ns"]
    r_h = mem["median_ns"] / hybrid_best["median_ns"]
    targets.add(1, "faster than FusionCache (precomputed key)", fmt_ratio(r_f), "< 1×", r_f, r_f < 1)
    targets.add(1, "faster than HybridCache (precomputed key)", fmt_ratio(r_h), "< 1×", r_h, r_h < 1)
    chart_pairs += [("1 memory hit ÷ hand-written", ratio1), ("1 memory hit ÷ FusionCache", r_f), ("1 memory hit ÷ HybridCache", r_h)]

    # Items 2 and 3
    item2(out, bdn, latency, values, targets, chart_pairs)
    item3(out, bdn, latency, targets, chart_pairs)

    # Item 4
    raw4 = row("Miss", "RawRedis")
    out.append("### 4. The miss path: lock, compute, store")
    out.append("")
    out.append(table(["", "time per call", "allocated", "÷ raw"], [
        [row("Miss", m)["title"], fmt_time(row("Miss", m)["median_ns"]), fmt_bytes(row("Miss", m)["bytes"]), fmt_ratio(row("Miss", m)["median_ns"] / raw4["median_ns"])]
        for m in ["AkCache", "RawRedis", "FusionCache", "FusionCacheDistributedLocker", "HybridCache"]
    ]))
    out.append("")
    chart_pairs.append(("4 miss ÷ raw GET + SET (no lock)", row("Miss", "AkCache")["median_ns"] / raw4["median_ns"]))
    chart_pairs.append(("4 miss ÷ FusionCache + locker", row("Miss", "AkCache")["median_ns"] / row("Miss", "FusionCacheDistributedLocker")["median_ns"]))

    # Item 5
    out.append("### 5. The cost of the key against the argument's shape")
    out.append("")
    rows5 = []
    for shape, prefix in [("int", "Int"), ("string, 1 KB", "String"), ("int[10000]", "Array"), ("POCO (5 properties)", "Poco")]:
        ak = row("KeyShape", prefix + "AkCache")
        hw = row("KeyShape", prefix + "HandWritten")
        peer = row("KeyShape", prefix + "PeerKey")
        rows5.append([shape, fmt_time(ak["median_ns"]), fmt_bytes(ak["bytes"]), fmt_time(hw["median_ns"]), fmt_ratio(ak["median_ns"] / hw["median_ns"]),
                      fmt_time(peer["median_ns"]), fmt_bytes(peer["bytes"])])
        chart_pairs.append((f"5 key of {shape} ÷ raw XxHash128", ak["median_ns"] / hw["median_ns"]))
    out.append(table(["argument", "AkCache key", "allocated", "XxHash128 of the raw bytes", "AkCache ÷ raw hash", "string key for a peer", "allocated"], rows5))
    out.append("")

    # Item 6
    out.append("### 6. Value size: a Redis hit of a byte[]")
    out.append("")
    rows6 = []
    sizes = sorted({int(p.split("=")[1]) for (t, m, p) in bdn if t == "ValueSize"})
    for size in sizes:
        ak = row("ValueSize", "AkCache", f"Size={size}")
        rw = row("ValueSize", "RawRedis", f"Size={size}")
        rows6.append([fmt_bytes(size), fmt_time(ak["median_ns"]), fmt_bytes(ak["bytes"]), fmt_time(rw["median_ns"]), fmt_bytes(rw["bytes"]), fmt_ratio(ak["median_ns"] / rw["median_ns"])])
        chart_pairs.append((f"6 {fmt_bytes(size)} value ÷ raw", ak["median_ns"] / rw["median_ns"]))
    out.append(table(["value", "AkCache", "allocated", "raw StringGet + MessagePack", "allocated", "AkCache ÷ raw"], rows6))
    out.append("")

    # Item 7
    compute = stampede["ComputeMilliseconds"]
    out.append(f"### 7. A cold stampede: {stampede['Processes']} processes × {stampede['CallersPerProcess']} concurrent callers, a {compute} ms computation")
    out.append("")
    names7 = {"akcache": "AkCache", "fusion": "FusionCache (L1 + Redis L2)", "fusion-locker": "FusionCache + Redis distributed locker", "hybrid": "HybridCache (L1 + Redis L2)"}
    rows7 = []
    for c in stampede["Contenders"]:
        rounds = c["Rounds"]
        comps = [r["Computations"] for r in rounds]
        last = [r["LastDoneMs"] for r in rounds]
        rows7.append([names7[c["Contender"]], ", ".join(str(x) for x in comps), f"{statistics.median(last):.0f} ms", f"{max(last):.0f} ms",
                      f"{statistics.median(r['FirstDoneMs'] for r in rounds):.0f} ms"])
        if c["Contender"] == "akcache":
            ok_comp = all(x == 1 for x in comps)
            targets.add(7, "exactly one computation, every round", ", ".join(str(x) for x in comps), "1", max(comps), ok_comp)
            targets.add(7, f"last caller done ≤ {compute} + 50 ms, every round", f"{max(last):.0f} ms (median {statistics.median(last):.0f})", f"{compute + 50} ms",
                        max(last) / (compute + 50), max(last) <= compute + 50)
    out.append(table(["", "computations per round", "last caller done (median)", "(worst)", "first caller done (median)"], rows7))
    out.append("")
    out.append(f"Times are from the moment the coordinator sends `go` to the moment the last (first) of the {stampede['Processes'] * stampede['CallersPerProcess']} callers has its result; {len(stampede['Contenders'][0]['Rounds'])} rounds, each on a key no process has seen.")
    out.append("")

    # Item 8
    out.append("### 8. Redis down: the cost per call once the first failure is known")
    out.append("")
    rows8 = []
    worst_p99 = 0.0
    for s in down["Scenarios"]:
        for kind in ("Hit", "Miss"):
            x = s[kind]
            worst_p99 = max(worst_p99, x["P99Us"])
            rows8.append([x["Name"], f"{x['Calls']:,}", fmt_us(x["P50Us"]), fmt_us(x["P99Us"]), fmt_us(x["P999Us"]), fmt_us(x["MaxUs"]), f"{x['OverOneMs']:,}"])
        rows8.append([f"Redis {s['Outage']}: the first call after the outage", "1", "", "", "", f"{s['FirstCallMs']:,.1f} ms", ""])
    out.append(table(["", "calls", "p50", "p99", "p99.9", "max", "calls over 1 ms"], rows8))
    out.append("")
    bd_hit = row("RedisDown", "Hit")
    bd_miss = row("RedisDown", "Miss")
    out.append(f"BenchmarkDotNet, Redis on a closed port (default 2 s break): hit {fmt_time(bd_hit['median_ns'])} and {fmt_bytes(bd_hit['bytes'])} per call; "
               f"miss {fmt_time(bd_miss['median_ns'])} and {fmt_bytes(bd_miss['bytes'])} per call. "
               f"Stopwatch phases: {down['PhaseSeconds']:.0f} s each.")
    out.append("")
    targets.add(8, "≤ 1 ms per call at p99 (worst scenario)", fmt_us(worst_p99), "1,000 µs", worst_p99 / 1000, worst_p99 <= 1000)

    # Item 9
    out.append("### 9. Build time that weaving 1,000 memoized methods adds")
    out.append("")
    out.append(table(["", "median of " + str(build["Repetitions"])], [
        ["`dotnet build`, woven (FodyWeavers.xml present)", f"{build['MedianWovenMs']:,.0f} ms"],
        ["`dotnet build`, not woven (`-p:DisableFody=true`)", f"{build['MedianNotWovenMs']:,.0f} ms"],
        ["difference of the medians", f"**{build['DifferenceMs']:,.0f} ms**"],
        ["median of the pairwise differences", f"{build['MedianPairwiseDifferenceMs']:,.0f} ms"],
        ["Fody's own time (its `Finished Fody` line)", f"{build['MedianFodyMs']:,.0f} ms" if build.get("MedianFodyMs") is not None else "–"],
    ]))
    out.append("")
    out.append(f"Command: `{build['Command']}`.")
    out.append("")
    targets.add(9, "weaving adds ≤ 2 s", f"{build['DifferenceMs']:,.0f} ms", "2,000 ms", build["DifferenceMs"] / 2000, build["DifferenceMs"] <= 2000)

    # Item 10 and the serializers alone (absent from runs before they existed)
    if values is not None and has_bdn(bdn, "DataTableValue"):
        item10(out, bdn, values, chart_pairs)
    if has_bdn(bdn, "Serializers"):
        serializers(out, bdn)

    # Item 11 (absent from runs before it existed)
    if has_bdn(bdn, "LocalHit"):
        item11(out, bdn, load_optional(results, "local-hit"), targets, chart_pairs)

    # Item 12 has a section of its own at the end of the document (invalidation()); its targets are listed here too.
    inv12 = load_optional(results, "invalidation")
    if inv12 is not None:
        for srv in inv12["Servers"]:
            worst = max(srv["Kinds"], key=lambda k: k["SlowestP99Ms"])
            stale = sum(k["Stale"] for k in srv["Kinds"])
            targets.add(12, f"{srv['Server']}: every process stops serving the old value within {inv12['TargetMs']} ms p99 (worst kind)",
                        f"{worst['SlowestP99Ms']:.1f} ms ({worst['Kind']}), {stale} stale", f"{inv12['TargetMs']} ms",
                        worst["SlowestP99Ms"] / inv12["TargetMs"], all(k["MeetsTarget"] for k in srv["Kinds"]))

    # Targets
    targets_table(out, targets)
    out.append(f"![AkCache's ratios in this run]({os.path.relpath(png_path, os.path.dirname(markdown_path))})")
    out.append("")
    out.append(END)

    chart(png_path, targets, chart_pairs, env)
    replace_between(markdown_path, BEGIN, END, "\n".join(out))
    inv = load_optional(results, "invalidation")
    if inv is not None:
        invalidation(markdown_path, inv, env)
    print(f"Wrote {markdown_path} and {png_path}")
    for t in targets.items:
        print(f"  item {t['item']}: {t['text']}: {t['measured']} (limit {t['limit']}) -> {'met' if t['met'] else 'MISSED'}")


def chart(png_path, targets, pairs, env):
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 8.5), gridspec_kw={"width_ratios": [1, 1.15]})
    # Left: every target as the share of its limit that was used (<= 1 is met).
    shown = [t for t in targets.items if t["share"] is not None]
    labels = [f"{t['item']}: {t['text']}" for t in shown][::-1]
    shares = [max(t["share"], 1e-3) for t in shown][::-1]
    colors = ["#2e7d32" if t["met"] else "#c62828" for t in shown][::-1]
    left.barh(range(len(shares)), shares, color=colors)
    left.axvline(1.0, color="black", linewidth=1)
    left.set_xscale("log")
    left.set_yticks(range(len(labels)))
    left.set_yticklabels(labels, fontsize=8)
    left.set_xlabel("measured ÷ limit (log; left of 1 = met)")
    zero = [t for t in targets.items if t["share"] is None]
    left.set_title("Targets" + "".join(f"\n{t['item']}: {t['text']}: {t['measured']} ({'met' if t['met'] else 'missed'})" for t in zero), fontsize=10)
    for i, s in enumerate(shares):
        left.text(s, i, f" {s:.2f}", va="center", fontsize=7)
    # Right: AkCache's time divided by the comparison's (lower is better).
    names = [p[0] for p in pairs][::-1]
    values = [p[1] for p in pairs][::-1]
    right.barh(range(len(values)), values, color=["#1565c0" if v <= 1 else "#ef6c00" for v in values])
    right.axvline(1.0, color="black", linewidth=1)
    right.set_xscale("log")
    right.set_yticks(range(len(names)))
    right.set_yticklabels(names, fontsize=8)
    right.set_xlabel("AkCache time ÷ other time (log; < 1: AkCache faster)")
    right.set_title("AkCache against the floors and the peers", fontsize=11)
    for i, v in enumerate(values):
        right.text(v, i, f" {v:.2f}", va="center", fontsize=7)
    sf = "with" if env["singleFlight"] else "without"
    fig.suptitle(f"AkCache benchmarks, one run ({env['startedUtc'][:10]}, commit {env['commit'][:10]}, runtime {sf} single flight)", fontsize=12)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


if __name__ == "__main__":
    main()
