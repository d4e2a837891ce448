#!/usr/bin/env python3
"""Summarise a dotnet-counters CSV over the seconds with messages flowing: per-second table and totals per message.
usage: counters.py FILE.csv"""
import csv, sys, collections
rows = collections.defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1])):
    rows[r["Timestamp"]][r["Counter Name"]] = float(r["Mean/Increment"])
cols = [("msg/s", "socketdaemon.messages.received"), ("alloc B/s", "dotnet.gc.heap.total_allocated"),
        ("gen0", "dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen0]"),
        ("gen1", "dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen1]"),
        ("gen2", "dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=gen2]"),
        ("GC pause s", "dotnet.gc.pause.time"), ("lock cont/s", "dotnet.monitor.lock_contentions"),
        ("work items/s", "dotnet.thread_pool.work_item.count"), ("pool threads", "dotnet.thread_pool.thread.count"),
        ("queue len", "dotnet.thread_pool.queue.length"), ("user s", "cpu.mode=user"), ("sys s", "cpu.mode=system"),
        ("JIT methods", "dotnet.jit.compiled_methods"), ("working set MB", "working_set")]
def get(sec, key):
    return sum(v for k, v in rows[sec].items() if k.startswith(key) or key in k and key.startswith(("cpu.", "working")))
print("| second | " + " | ".join(c for c, _ in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
tot = collections.Counter(); n = 0
for sec in rows:
    m = get(sec, cols[0][1])
    if m <= 0:
        continue
    vals = [get(sec, k) for _, k in cols]
    vals[-1] /= 1e6
    n += 1
    for (c, _), v in zip(cols, vals):
        tot[c] += v
    print(f"| {sec.split()[-1]} | " + " | ".join(f"{v:,.0f}" if abs(v) >= 10 else f"{v:.3f}" for v in vals) + " |")
msgs = tot["msg/s"]
print(f"\n{n} s with messages: {msgs:,.0f} messages; allocated {tot['alloc B/s']:,.0f} B = {tot['alloc B/s']/msgs:.2f} B/message; "
      f"GCs gen0 {tot['gen0']:.0f} gen1 {tot['gen1']:.0f} gen2 {tot['gen2']:.0f}; GC pause {tot['GC pause s']:.3f} s "
      f"({100*tot['GC pause s']/n:.1f}% of the time); lock contentions {tot['lock cont/s']:,.0f} ({tot['lock cont/s']/msgs*1000:.2f} per 1,000 messages); "
      f"thread-pool work items {tot['work items/s']:,.0f} ({tot['work items/s']/msgs*1000:.1f} per 1,000 messages); "
      f"CPU user {tot['user s']:.2f} s + system {tot['sys s']:.2f} s = {1e6*(tot['user s']+tot['sys s'])/msgs:.2f} us/message")
