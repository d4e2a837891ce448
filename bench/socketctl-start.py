#!/usr/bin/env python3
"""Wall time of one short process, many alternating runs: each command of one round runs once, in turn, so load
that comes and goes on a shared machine falls on all of them alike. Prints the median, p10 and p90 of each and the
ratio of each median to the first command's. Driven by bench/socketctl-start.sh."""
import statistics
import subprocess
import sys
import time


def main() -> None:
    runs = int(sys.argv[1])
    commands = [c.split("\x1f") for c in sys.argv[2:]]
    times = [[] for _ in commands]
    for _ in range(3):  # warm the page cache and the daemon
        for command in commands:
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for i, command in enumerate(commands):
            start = time.perf_counter_ns()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            times[i].append((time.perf_counter_ns() - start) / 1e6)
    base = statistics.median(times[0])
    print(f"| command | median ms | p10 | p90 | x first |")
    print(f"|---|---:|---:|---:|---:|")
    for command, t in zip(commands, times):
        q = statistics.quantiles(t, n=10)
        print(f"| `{' '.join(command)}` | {statistics.median(t):.1f} | {q[0]:.1f} | {q[-1]:.1f} | {statistics.median(t) / base:.2f}x |")


if __name__ == "__main__":
    main()
