#!/usr/bin/env python3
"""Where one training step's time goes, operator by operator, against another variant's step.

Reads two Chrome traces that `csq-bench --probe MODEL:VARIANT --trace FILE` wrote (20 steps each) and
prints, per ATen operator, its self time per step (its own time, less the operators it called) in both
and the difference, largest first: what the second variant adds. The profiler's own cost per operator
inflates the small ones; compare the two figures, not them against csq-bench's step times. Work outside
ATen operators (csq's fused loops, FusedAdam) shows only as the gap between the totals.

  build/release/app/csq-bench --probe lenet5:float --trace /tmp/float.json
  build/release/app/csq-bench --probe lenet5:csq_finetune --trace /tmp/finetune.json
  scripts/step_trace.py /tmp/float.json /tmp/finetune.json [ROWS]
"""
import collections
import json
import sys

STEPS = 20  # csq-bench's kTraceSteps


def self_times(path):
    events = json.load(open(path))
    events = events if isinstance(events, list) else events.get("traceEvents", [])
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X":
            by_thread[e["tid"]].append(e)
    own, calls, total = collections.Counter(), collections.Counter(), 0.0
    for thread in by_thread.values():
        thread.sort(key=lambda e: (e["ts"], -e["dur"]))
        open_events = []
        for e in thread:
            while open_events and open_events[-1]["ts"] + open_events[-1]["dur"] <= e["ts"]:
                open_events.pop()
            if open_events:
                own[open_events[-1]["name"]] -= e["dur"]
            else:
                total += e["dur"]
            own[e["name"]] += e["dur"]
            calls[e["name"]] += 1
            open_events.append(e)
    return own, calls, total


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    (a, ca, ta), (b, cb, tb) = self_times(sys.argv[1]), self_times(sys.argv[2])
    ms = lambda us: us / 1000 / STEPS
    print(f"operators, ms per step: {ms(ta):.1f} (first) and {ms(tb):.1f} (second)")
    print(f"{'operator':48s} {'first':>7s} {'second':>7s} {'added':>7s} {'calls':>6s} {'calls':>6s}")
    for name in sorted(set(a) | set(b), key=lambda n: a[n] - b[n])[:rows]:
        print(f"{name[:48]:48s} {ms(a[name]):7.2f} {ms(b[name]):7.2f} {ms(b[name] - a[name]):7.2f} "
              f"{ca[name] / STEPS:6.0f} {cb[name] / STEPS:6.0f}")


if __name__ == "__main__":
    main()
