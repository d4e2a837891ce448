#!/usr/bin/env python3
"""Who calls FRAME: the callers' chains (DEPTH frames up) of the stretches with FRAME on the stack, by thread time.
usage: callers.py FILE.speedscope.json REGEX [DEPTH] [TOP]"""
import json, sys, re, collections
d = json.load(open(sys.argv[1])); rx = re.compile(sys.argv[2]); depth = int(sys.argv[3]) if len(sys.argv) > 3 else 4; top = int(sys.argv[4]) if len(sys.argv) > 4 else 12
fr = [re.sub(r"\(.*", "", f["name"]).split("!")[-1][-90:] for f in d["shared"]["frames"]]
cnt = collections.Counter(); tot = 0.0
for p in d["profiles"]:
    st, last = [], None
    for e in p["events"]:
        if last is not None and e["at"] > last and st:
            idx = [i for i, f in enumerate(st) if rx.search(fr[f])]
            if idx:
                i = idx[0]; dt = e["at"] - last; tot += dt
                cnt[" <- ".join(fr[f] for f in reversed(st[max(0, i - depth):i + 1]))] += dt
        last = e["at"]
        if e["type"] == "O": st.append(e["frame"])
        else:
            i = len(st) - 1 - st[::-1].index(e["frame"]); del st[i:]
print(f"{tot:.0f} ms thread time with {sys.argv[2]} on the stack")
for k, v in cnt.most_common(top): print(f"{100*v/tot:5.1f}%  {k}")
