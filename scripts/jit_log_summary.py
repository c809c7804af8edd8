"""What the JIT did in a run: compile time per class and the longest compilations from a JFR recording, or which
methods ended compiled at which level in -XX:+PrintCompilation logs, to compare runs that settled differently.

Usage:
  python3 scripts/jit_log_summary.py compilations RECORDING.jfr
      the recording made with -XX:StartFlightRecording=filename=RECORDING.jfr,jdk.Compilation#threshold=0ms
      (and jdk.Deoptimization#enabled=true for the deoptimizations); needs `jfr` from $JAVA_HOME/bin
  python3 scripts/jit_log_summary.py levels FAST.log SLOW.log...
      stdout of runs with -XX:+PrintCompilation; lists the Cairn and Vector API methods that ended at tier 4 in
      FAST but lower or never in each SLOW
See BENCHMARKS.md, ninth stop.
"""
import collections, os, re, subprocess, sys

JFR = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jfr")
UNIT_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0}


def events(recording, name):
    text = subprocess.run([JFR, "print", "--events", name, recording], capture_output=True, text=True,
                          check=True).stdout
    return text.split(name + " {")[1:]


def compilations(recording):
    rows = []
    for e in events(recording, "jdk.Compilation"):
        d = re.search(r"duration = ([0-9.]+) (ns|us|ms|s)\b", e)
        m = re.search(r"method = (.*)", e)
        if d and m:
            rows.append((float(d.group(1)) * UNIT_MS[d.group(2)], m.group(1).strip()))
    print(f"{len(rows)} compilations, {sum(r[0] for r in rows) / 1000:.2f} s of compiler time")
    by_class = collections.Counter()
    for ms, method in rows:
        by_class[method.split("(")[0].rsplit(".", 1)[0]] += ms
    for cls, ms in by_class.most_common(12):
        print(f"{ms:8.0f} ms  {cls}")
    print("longest:")
    for ms, method in sorted(rows, reverse=True)[:15]:
        print(f"{ms:8.1f} ms  {method[:110]}")
    deopts = collections.Counter()
    for e in events(recording, "jdk.Deoptimization"):
        reason = re.search(r'reason = "?([^"\n]*)', e)
        deopts[reason.group(1) if reason else "?"] += 1
    if deopts:
        print(f"{sum(deopts.values())} deoptimizations: " + ", ".join(f"{r} {n}" for r, n in deopts.most_common()))


LINE = re.compile(r"\s*\d+\s+(\d+)\s+([%sbn!]*)\s*(\d)\s+(\S+::\S+)\s+\(\d+ bytes\)(.*)")


def final_levels(path):
    """method -> the tier of its last compilation still in use ('X' prefix: made not entrant, none since)."""
    last = {}
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m or "%" in m.group(2):
            continue
        cid, level, method, rest = m.group(1), m.group(3), m.group(4), m.group(5)
        if "dev.cairn" not in method and "jdk.incubator.vector" not in method:
            continue
        if "made not entrant" in rest:
            if last.get(method, (None,))[0] == cid:
                last[method] = (cid, "X" + level)
        else:
            last[method] = (cid, level)
    return {method: level for method, (_, level) in last.items()}


def levels(fast, slow_logs):
    f = final_levels(fast)
    for slow in slow_logs:
        s = final_levels(slow)
        print(f"== at tier 4 in {fast}, not in {slow}:")
        for method in sorted(m for m in f if f[m] == "4" and s.get(m) != "4"):
            print(f"   {method}  ({s.get(method, 'never compiled')})")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "compilations":
        compilations(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "levels":
        levels(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
