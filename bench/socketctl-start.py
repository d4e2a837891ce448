#!/usr/bin/env python3
"""Wall time and CPU time of one short process, many alternating runs: each command of one round runs once, in
turn, so load that comes and goes on a shared machine falls on all of them alike. Prints the median wall time with
its p10 and p90, the median CPU time (user + system, of the process and its threads), and the ratio of each median
to the first command's. CPU time is the steadier figure on a loaded machine. Driven by bench/socketctl-start.sh."""
import os
import statistics
import subprocess
import sys
import time


def run(command: list[str]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one run."""
    start = time.perf_counter_ns()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3


def main() -> None:
    runs = int(sys.argv[1])
    # Each argument is LABEL, ASCII 0x1e, then the command's words separated by 0x1f.
    labels = [c.split("\x1e", 1)[0] for c in sys.argv[2:]]
    commands = [c.split("\x1e", 1)[-1].split("\x1f") for c in sys.argv[2:]]
    walls = [[] for _ in commands]
    cpus = [[] for _ in commands]
    for _ in range(3):  # warm the page cache and the daemon
        for command in commands:
            run(command)
    for _ in range(runs):
        for i, command in enumerate(commands):
            wall, cpu = run(command)
            walls[i].append(wall)
            cpus[i].append(cpu)
    base_wall, base_cpu = statistics.median(walls[0]), statistics.median(cpus[0])
    print("| command | wall ms, median | p10 | p90 | x first | CPU ms, median | x first |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, wall, cpu in zip(labels, walls, cpus):
        q = statistics.quantiles(wall, n=10)
        print(f"| {label} | {statistics.median(wall):.1f} | {q[0]:.1f} | {q[-1]:.1f} | {statistics.median(wall) / base_wall:.2f}x "
              f"| {statistics.median(cpu):.1f} | {statistics.median(cpu) / base_cpu:.2f}x |")


if __name__ == "__main__":
    main()
