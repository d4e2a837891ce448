#!/usr/bin/env python3
"""CPU samples of some processes from `perf script -F pid,ip,sym,dso` (callchains): leaf symbols per process,
and the share of samples with a given frame anywhere on the stack.
usage: perf script -i F -F pid,ip,sym,dso | perfpid.py PID[,PID] TOP [STACKREGEX...]"""
import sys, re, collections
pids = set(sys.argv[1].split(",")); top = int(sys.argv[2]); rx = [re.compile(r) for r in sys.argv[3:]]
leaf = collections.Counter(); dso = collections.Counter(); incl = collections.Counter(); n = 0
cur = None; stack = []
def flush():
    global n
    if cur in pids and stack:
        n += 1
        sym, lib = stack[0]
        kernel = "kernel" in lib
        dso["kernel" if kernel else lib.split("/")[-1]] += 1
        leaf[("[k] " if kernel else "") + sym] += 1
        for r in rx:
            if any(r.search(s) for s, _ in stack):
                incl[r.pattern] += 1
for line in sys.stdin:
    if not line.strip():
        continue
    if not line.startswith("\t") and not line.startswith("        "):
        flush(); cur = line.split()[0]; stack = []
    else:
        m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)\s*$", line)
        if m:
            s = re.sub(r"\[(OptimizedTier1|QuickJitted|Optimized|OptimizedTier1OSR|Tier0|Tier1|PreJIT)\]$", r"[\1]", m.group(1))
            s = re.sub(r"^(\S+ )?\[[^\]]+\] ", "", s)     # return type and assembly of perf-map names
            stack.append((s[:120], m.group(2)))
flush()
print(f"{n} samples")
print("by DSO: " + ", ".join(f"{k} {100*v/n:.1f}%" for k, v in dso.most_common(8)))
for k, v in leaf.most_common(top):
    print(f"{100*v/n:6.2f}% {v:6d}  {k}")
for r in rx:
    print(f"on the stack: {100*incl[r.pattern]/n:6.2f}%  {r.pattern}")
