"""How long from `import sas_mock` to a ready server, each run in a fresh interpreter.

    python python/startup_time.py [RUNS]        (default 10; uses the sas-mock that find_binary() finds)

Prints the median and the range of: the import; SasMock().__enter__(), and within it the time to
spawn the process and from there to its ready line (the rest is Python: importing urllib, building
the opener); the two together; and the time the server takes to stop (SIGTERM to exit).
"""

import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, time
t0 = time.perf_counter()
import sas_mock
t1 = time.perf_counter()
mock = sas_mock.SasMock().__enter__()
t2 = time.perf_counter()
mock.__exit__(None, None, None)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "start": t2 - t1, "total": t2 - t0, "stop": t3 - t2,
                  "spawn": mock._spawned_at - t1, "ready line": mock._ready_at - mock._spawned_at,
                  "binary": mock.argv[0]}))
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    samples = [json.loads(subprocess.run([sys.executable, "-c", CHILD], check=True,
                                         capture_output=True, text=True).stdout) for _ in range(runs)]
    print(f"import sas_mock + SasMock().__enter__() to ready, {runs} fresh interpreters "
          f"({samples[0]['binary']}):")
    for part in ("import", "start", "spawn", "ready line", "total", "stop"):
        values = sorted(s[part] * 1000 for s in samples)
        print(f"  {part:10}  median {statistics.median(values):6.1f} ms   "
              f"min {values[0]:6.1f} ms   max {values[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
