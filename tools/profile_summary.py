#!/usr/bin/env python3
"""Compares autograd-profiler Chrome traces of one training step: self time
per operator, summed over the step, for one or two traces (for example the
C++ step from bench/bench_train_step with SYNTHFORGE_BENCH_PROFILE and the
Python step from tools/bench_train_step.py --profile).

    tools/profile_summary.py cpp.netStep_reference.json py_reference.json --top 30

Self time of an event is its duration minus the durations of the events
directly nested in it on the same thread, so wrappers (aten::conv2d ->
aten::convolution -> aten::mkldnn_convolution) are not counted twice.
"""

import argparse
import collections
import json


def self_times(path):
    with open(path) as f:
        events = [e for e in json.load(f) if e.get("ph") == "X"]
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[(e.get("pid"), e.get("tid"))].append(e)
    totals = collections.defaultdict(lambda: [0, 0.0])  # name -> [calls, self us]
    for evs in by_thread.values():
        # Parents first: earlier start, and for equal starts the longer one.
        evs.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # [end, event, children's duration]
        def close(item):
            _, ev, child = item
            t = totals[ev["name"]]
            t[0] += 1
            t[1] += max(0.0, float(ev["dur"]) - child)
        for e in evs:
            start, dur = float(e["ts"]), float(e["dur"])
            while stack and stack[-1][0] <= start:
                close(stack.pop())
            if stack:
                stack[-1][2] += dur
            stack.append([start + dur, e, 0.0])
        while stack:
            close(stack.pop())
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("traces", nargs="+", help="one or two Chrome trace files")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    tables = [self_times(p) for p in args.traces[:2]]
    names = set().union(*tables)
    key = (lambda n: -max(t.get(n, [0, 0.0])[1] for t in tables))
    header = "".join(f"{'calls':>8}{'self ms':>11}" for _ in tables)
    print(f"{'operator':<52}{header}{'  diff ms' if len(tables) == 2 else ''}")
    for name in sorted(names, key=key)[:args.top]:
        row = "".join(f"{t.get(name, [0, 0.0])[0]:>8}{t.get(name, [0, 0.0])[1] / 1000:>11.1f}" for t in tables)
        diff = ""
        if len(tables) == 2:
            diff = f"{(tables[0].get(name, [0, 0.0])[1] - tables[1].get(name, [0, 0.0])[1]) / 1000:>9.1f}"
        print(f"{name[:51]:<52}{row}{diff}")
    totals = "".join(f"{'':>8}{sum(v[1] for v in t.values()) / 1000:>11.1f}" for t in tables)
    print(f"{'total':<52}{totals}")


if __name__ == "__main__":
    main()
