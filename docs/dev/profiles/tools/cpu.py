#!/usr/bin/env python3
"""Summarise a dotnet-trace speedscope file (SampleProfiler, thread time) as CPU time.

Each sample ends in a pseudo-frame: CPU_TIME (the thread was in managed code) or
UNMANAGED_CODE_TIME (in native code: a syscall, the runtime, or a wait). The sample profiler records every managed thread every sample, running or not, so thread time
includes threads parked in waits. A stretch whose leaf frame is a wait (the thread pool's
semaphore, Monitor.Wait, WaitHandle, the socket engine's epoll, the file watcher's read) is
dropped; what remains is time on CPU, in managed code or in a syscall it made (a pwritev, a recvmsg).
Only the window from the first to the last stretch inside the daemon's read loop is counted, so
start-up and the stop are left out.

usage: cpu.py FILE.speedscope.json [TOP]
"""
import json, sys, re, collections

WAITS = re.compile(r"WaitOneNoCheck|LowLevelLifoSemaphore\.WaitNative|Monitor\.Wait\(|Interop\+Sys\.Read\(|"
                   r"Missing Symbol|WaitForSocketEvents|Thread\.Sleep|SleepInternal|Interop\+Sys\.Poll|"
                   r"ManualResetEventSlim\.Wait|WaitHandle\.Wait|WaitForSignal|Interop\+Sys\.WaitPid")
HOT = "ReadMessagesAsync"

d = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
frames = [f["name"] for f in d["shared"]["frames"]]

def short(name):
    name = re.sub(r"\(.*", "", name)          # parameters
    name = re.sub(r"^[A-Za-z0-9_.]+!", "", name) if "!" in name[:40] else name
    return name[:110]

stretches = []   # (start, end, thread, stack tuple)
for p in d["profiles"]:
    stack, last = [], None
    for e in p["events"]:
        t = e["at"]
        if last is not None and t > last and stack:
            stretches.append((last, t, p["name"], tuple(stack)))
        last = t
        if e["type"] == "O":
            stack.append(e["frame"])
        else:
            # close the frame (the innermost matching one)
            for i in range(len(stack) - 1, -1, -1):
                if stack[i] == e["frame"]:
                    del stack[i:]
                    break

hot = [s for s in stretches if any(HOT in frames[f] for f in s[3])]
lo, hi = min(s[0] for s in hot), max(s[1] for s in hot)
excl, incl = collections.Counter(), collections.Counter()
total = wait = 0.0
threads = collections.Counter()
kinds = collections.Counter()
for a, b, th, st in stretches:
    a, b = max(a, lo), min(b, hi)
    if b <= a:
        continue
    dt = b - a
    kind = frames[st[-1]]
    if kind in ("CPU_TIME", "UNMANAGED_CODE_TIME"):
        st = st[:-1]
    leaf = frames[st[-1]] if st else kind
    parent = frames[st[-2]] if len(st) > 1 else ""
    # Native code straight under the socket engine's loop is its epoll_wait, under a worker's start its semaphore wait.
    parked = leaf == "?!?" and "SocketAsyncEngine.EventLoop" in parent or leaf.endswith("WorkerThread.WorkerThreadStart()")
    if kind != "CPU_TIME" and (WAITS.search(leaf) or parked):
        wait += dt
        continue
    kinds[kind if kind in ("CPU_TIME", "UNMANAGED_CODE_TIME") else "no pseudo-frame"] += dt
    total += dt
    threads[th] += dt
    excl[short(leaf)] += dt
    for name in {short(frames[f]) for f in st}:
        incl[name] += dt

print(f"window {lo:.0f}-{hi:.0f} ms ({hi-lo:.0f} ms) of {sys.argv[1].split('/')[-1]}; "
      f"on CPU {total:.0f} ms thread time ({total/(hi-lo):.2f} threads busy), parked {wait:.0f} ms (dropped)")
print("by sample kind: " + ", ".join(f"{k} {100*v/total:.1f}%" for k, v in kinds.most_common()))
print(f"\nTop {top} exclusive (leaf frame; % of on-CPU thread time)")
for n, v in excl.most_common(top):
    print(f"{100*v/total:6.2f}%  {n}")
print(f"\nTop {top} inclusive (frames on the stack)")
for n, v in incl.most_common(top + 8)[8:]:
    print(f"{100*v/total:6.2f}%  {n}")
