"""``make bench``: the registry against the ceiling of its own stack, on this machine.

Starts, on 127.0.0.1 only:

* the registry the production way (``gunicorn -c gunicorn.conf.py wsgi:app``, gevent
  workers, WEB_CONCURRENCY workers (2), metrics on, LOG_LEVEL INFO with the logs in a
  file), on a fresh PostgreSQL database ``registry_bench_<stamp>`` (dropped after) and
  Redis under a key prefix of its own (deleted after);
* a bare Falcon app on the same gunicorn/gevent settings (``bench/bare_app.py``): a
  constant GET and a precompiled-jsonschema POST, the ceiling.

and drives both with ``wrk`` (same threads and connections everywhere; Lua scripts in
``bench/lua``), alternating bare and registry runs over several rounds, then reports
medians: requests/s, p50/p95/p99 latency, errors, and the ratio to the bare ceiling.

Groups:
  core      GET /api/v1/schemas/{id} (hot set of 100; and uniform over all ~100 stored),
            POST /api/v1/validate/{id}, POST /api/v1/compatibility/check, and the bare
            GET/validate ceilings.
  register  POST /api/v1/schemas, a new subject per request.
  bulk      GET with 1,000,000 schemas stored (100,000 with --short), COPY-loaded:
            hot set of 100 and uniform over every stored id.
  chains    registration into subjects holding 1, 100 and 1,000 versions under
            BACKWARD_TRANSITIVE (each request appends the next compatible version).

Results: a table on stdout, and ``bench-results/<stamp>.json`` + ``bench-results/latest.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import psycopg2
import workload
from harness import BenchError, log

LUA_DIR = harness.BENCH_DIR / "lua"
GROUPS = ("core", "register", "bulk", "chains")
HOT_SET = 100
WRITE_SCRIPTS = ("register.lua", "chain.lua")
DRAIN_SECONDS = 1.0


@dataclass
class Endpoint:
    key: str
    label: str
    group: str
    target: str  # "registry" or "bare"
    script: str
    args: list[str]
    ceiling: str | None = None  # key of the bare endpoint this one is compared with
    note: str = ""
    rounds: list[dict[str, Any]] = field(default_factory=list)
    serial: dict[str, Any] | None = None  # one request at a time on one connection (chains)
    round_seconds: float | None = None


# -- wrk --------------------------------------------------------------------------------


def parse_wrk(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON ") :])
    raise ValueError("no WRK_JSON line in wrk's output")


def summarise_run(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    errors = raw["errors"]
    statuses = {int(code): count for code, count in raw.get("statuses", {}).items()}
    # With a status histogram (write scripts) count every non-2xx; otherwise wrk's own count (>= 400).
    non_2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300) if statuses else errors["status"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 3),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "mean_ms": round(latency["mean"] / 1000, 3),
        "p50_ms": round(latency["p50"] / 1000, 3),
        "p90_ms": round(latency["p90"] / 1000, 3),
        "p95_ms": round(latency["p95"] / 1000, 3),
        "p99_ms": round(latency["p99"] / 1000, 3),
        "max_ms": round(latency["max"] / 1000, 3),
        "errors": non_2xx + socket_errors,
        "non_2xx": non_2xx,
        "socket_errors": {k: errors[k] for k in ("connect", "read", "write", "timeout")},
        "statuses": statuses,
    }


class Wrk:
    def __init__(self, executable: str, threads: int, connections: int, timeout: str) -> None:
        self.executable = executable
        self.threads = threads
        self.connections = connections
        self.timeout = timeout
        self.environment = {**os.environ, "LUA_PATH": f"{LUA_DIR}/?.lua;;"}

    def run(self, port: int, script: str, args: list[str], seconds: float) -> dict[str, Any]:
        seconds = max(1, math.ceil(seconds))  # wrk takes whole seconds
        command = [
            self.executable,
            "-t",
            str(self.threads),
            "-c",
            str(self.connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            self.timeout,
            "-s",
            str(LUA_DIR / script),
            f"http://127.0.0.1:{port}",
            "--",
            *args,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, env=self.environment)
        except subprocess.TimeoutExpired:
            raise BenchError(f"wrk did not finish: {' '.join(command)}") from None
        try:
            return summarise_run(parse_wrk(done.stdout))
        except (ValueError, KeyError) as error:
            raise BenchError(
                f"cannot read wrk's result ({error}); exit {done.returncode}\n"
                f"command: {' '.join(command)}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            ) from None


def wrk_version(executable: str) -> str:
    done = subprocess.run([executable, "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0].strip() if (done.stdout or done.stderr) else "?"


# -- data -------------------------------------------------------------------------------


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_VERSION_COLUMNS = (
    "id, subject_id, version_major, version_minor, version_patch, format, content, content_hash, state, "
    "compatibility_mode, compatibility_policy, global_id, version_number"
)
_SCHEMA_ID_COLUMNS = "id, format, identity_hash, content"


def _reserve_subject_ids(cursor: Any, count: int) -> int:
    """The first of ``count`` consecutive subject ids nobody else will get from the sequence.

    The table lock (held to the end of the transaction) makes concurrent INSERTs, e.g.
    registrations still finishing after wrk stopped, wait instead of drawing ids in between.
    """
    cursor.execute("LOCK TABLE subjects IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT nextval('subjects_id_seq')")
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval('subjects_id_seq', %s)", (first + count - 1,))
    return first


def _reserve_schema_ids(cursor: Any, count: int) -> int:
    """The first of ``count`` consecutive global schema ids, reserved like ``_reserve_subject_ids``."""
    cursor.execute("LOCK TABLE schema_ids IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT nextval('schema_ids_allocator')")
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval('schema_ids_allocator', %s)", (first + count - 1,))
    return first


def _analyze(connection: Any) -> None:
    """Statistics for the loaded tables (autovacuum may be off, as on these machines)."""
    connection.autocommit = True
    with connection.cursor() as cursor:
        for table in ("subjects", "schema_ids", "schema_versions"):
            cursor.execute(f"ANALYZE {table}")


def _copy(cursor: Any, table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def bulk_load(database_url: str, count: int, chunk: int = 100_000) -> float:
    """``count`` subjects of one version each, COPY-loaded. Returns the seconds it took."""
    started = time.monotonic()
    # Templates split at a marker: formatting a million dicts through orjson twice is the slow part.
    marker = "@@N@@"
    content_head, content_tail = workload.stored_text(workload.bulk_schema(marker)).split(marker)  # type: ignore[arg-type]
    canonical = json.dumps(workload.bulk_schema(marker), sort_keys=True, separators=(",", ":"))  # type: ignore[arg-type]
    canonical_head, canonical_tail = canonical.split(marker)
    # The canonical text must be what the registry hashes (orjson, sorted keys).
    assert workload.content_hash(workload.bulk_schema(7)) == sha256_hex(canonical_head + "7" + canonical_tail)
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor() as cursor:
            base = _reserve_subject_ids(cursor, count)
            id_base = _reserve_schema_ids(cursor, count)
            for start in range(0, count, chunk):
                subjects, schema_ids, versions = io.StringIO(), io.StringIO(), io.StringIO()
                for n in range(start, min(count, start + chunk)):
                    subject_id, global_id = base + n, id_base + n
                    content = _copy_escape(f"{content_head}{n}{content_tail}")
                    digest = sha256_hex(f"{canonical_head}{n}{canonical_tail}")
                    subjects.write(f"{subject_id}\tbench.bulk.{n}\n")
                    schema_ids.write(f"{global_id}\tJSON\t{digest}\t{content}\n")
                    versions.write(
                        f"{uuid.uuid4()}\t{subject_id}\t1\t0\t0\tJSON\t{content}\t{digest}\tACTIVE\tBACKWARD\tSTRICT"
                        f"\t{global_id}\t1\n"
                    )
                _copy(cursor, "subjects", "id, name", subjects)
                _copy(cursor, "schema_ids", _SCHEMA_ID_COLUMNS, schema_ids)
                _copy(cursor, "schema_versions", _VERSION_COLUMNS, versions)
        _analyze(connection)
    finally:
        connection.close()
    return time.monotonic() - started


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def prepare_chains(database_url: str, kind: str, size: int, subject_count: int, directory: Path) -> tuple[Path, Path]:
    """``subject_count`` subjects under BACKWARD_TRANSITIVE, each holding versions 1..size of the
    compatible chain. Returns the subjects file and the request template of the chain.lua script."""
    versions = [workload.chain_schema(kind, k) for k in range(1, size + 1)]
    names = [f"bench.chain{size}.{i}" for i in range(subject_count)]
    connection = psycopg2.connect(database_url)
    try:
        with connection, connection.cursor() as cursor:
            # Every subject holds the same chain: one global id per version of it.
            id_base = _reserve_schema_ids(cursor, size)
            schema_ids = io.StringIO()
            rows = []
            for k, document in enumerate(versions):
                text, digest = _copy_escape(workload.stored_text(document)), workload.content_hash(document)
                schema_ids.write(f"{id_base + k}\tJSON\t{digest}\t{text}\n")
                rows.append(
                    f"1\t{k}\t0\tJSON\t{text}\t{digest}\tACTIVE\tBACKWARD_TRANSITIVE\tSTRICT\t{id_base + k}\t{k + 1}\n"
                )
            _copy(cursor, "schema_ids", _SCHEMA_ID_COLUMNS, schema_ids)
            base = _reserve_subject_ids(cursor, subject_count)
            subjects = io.StringIO()
            for i, name in enumerate(names):
                subjects.write(f"{base + i}\t{name}\tBACKWARD_TRANSITIVE\tSTRICT\n")
            _copy(cursor, "subjects", "id, name, compatibility_mode, compatibility_policy", subjects)
            buffer = io.StringIO()
            for i in range(subject_count):
                subject_id = base + i
                for row in rows:
                    buffer.write(f"{uuid.uuid4()}\t{subject_id}\t{row}")
                if buffer.tell() > 32 * 1024 * 1024:
                    _copy(cursor, "schema_versions", _VERSION_COLUMNS, buffer)
                    buffer = io.StringIO()
            _copy(cursor, "schema_versions", _VERSION_COLUMNS, buffer)
        _analyze(connection)
    finally:
        connection.close()
    subjects_file = directory / f"chain{size}_subjects.txt"
    subjects_file.write_text("\n".join(names) + "\n")
    next_version = workload.dumps(workload.chain_schema(kind, size + 1)).replace("%", "%%")
    template = '{"subject":"%s","schema":{"description":"%s",' + next_version[1:] + ',"schema_type":"json"}'
    template_file = directory / f"chain{size}_template.json"
    template_file.write_text(template)
    return subjects_file, template_file


def chain_version_counts(database_url: str, size: int) -> dict[str, float]:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT avg(c)::float, max(c) FROM (
                       SELECT count(*) AS c FROM schema_versions v JOIN subjects s ON s.id = v.subject_id
                       WHERE s.name LIKE %s GROUP BY s.id) counts""",
                (f"bench.chain{size}.%",),
            )
            average, maximum = cursor.fetchone()
    finally:
        connection.close()
    return {"average": round(average or 0, 2), "max": maximum or 0}


def dump_ids(database_url: str, path: Path) -> int:
    """Every stored schema id, one per line (36 characters), for uniform reads."""
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor, path.open("w") as out:
            cursor.copy_expert("COPY (SELECT id::text FROM schema_versions) TO STDOUT", out)
    finally:
        connection.close()
    return path.stat().st_size // 37


def count_versions(database_url: str) -> int:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM schema_versions")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def chain_subject_count(size: int) -> int:
    """Enough subjects that a run's registrations lengthen each chain only a little."""
    return max(48, min(4000, 20_000 // size))


# -- the benchmark ------------------------------------------------------------------------


class Benchmark:
    def __init__(self, options: argparse.Namespace, wrk: Wrk, scratch: Path, stamp: str) -> None:
        self.options = options
        self.wrk = wrk
        self.scratch = scratch
        self.stamp = stamp
        self.endpoints: dict[str, Endpoint] = {}
        self.facts: dict[str, Any] = {}
        self.servers: dict[str, harness.Server] = {}

    # -- plumbing

    def add(self, endpoint: Endpoint) -> Endpoint:
        self.endpoints[endpoint.key] = endpoint
        return endpoint

    def run(self, endpoint: Endpoint, seconds: float, record: bool = True) -> dict[str, Any]:
        server = self.servers[endpoint.target]
        server.check_alive()
        result = self.wrk.run(server.port, endpoint.script, endpoint.args, seconds)
        if endpoint.script in WRITE_SCRIPTS:
            # wrk stops without waiting for its last requests: let the server finish them
            # before the next measurement (or a bulk load) starts.
            time.sleep(DRAIN_SECONDS)
        server.check_alive()
        if record:
            endpoint.rounds.append(result)
            log(
                f"  {endpoint.label}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
                f"p99 {result['p99_ms']:.2f} ms, errors {result['errors']}"
            )
        return result

    def warm(self, *endpoints: Endpoint) -> None:
        if self.options.warmup > 0:
            for endpoint in endpoints:
                self.run(endpoint, self.options.warmup, record=False)

    def rounds(self, endpoints: list[Endpoint], title: str) -> None:
        for number in range(1, self.options.rounds + 1):
            log(f"{title}: round {number}/{self.options.rounds}")
            for endpoint in endpoints:
                self.run(endpoint, self.options.seconds)

    def write(self, name: str, text: str) -> Path:
        path = self.scratch / name
        path.write_text(text)
        return path

    # -- phases

    def seed(self, registry: harness.Server) -> None:
        hot_ids = []
        for i in range(HOT_SET):
            reply = harness.call(
                registry.port,
                "POST",
                "/api/v1/schemas",
                {"subject": f"bench.hot.{i}", "schema": workload.SCHEMA, "schema_type": "json"},
            )
            if reply.status != 201:
                raise BenchError(f"seeding bench.hot.{i}: {reply.status} {reply.body[:300]!r}")
            hot_ids.append(reply.json()["id"])
        ids = {}
        for role, schema in (("existing", workload.SCHEMA), ("candidate", workload.COMPAT_CANDIDATE)):
            reply = harness.call(
                registry.port,
                "POST",
                "/api/v1/schemas",
                {"subject": f"bench.compat.{role}", "schema": schema, "schema_type": "json"},
            )
            if reply.status != 201:
                raise BenchError(f"seeding bench.compat.{role}: {reply.status} {reply.body[:300]!r}")
            ids[role] = reply.json()["id"]
        self.hot_ids_file = self.write("hot_ids.txt", "".join(f"{i}\n" for i in hot_ids))
        self.validate_body = self.write("validate_body.json", workload.dumps(workload.VALIDATE_DOCUMENT))
        compat_request = {"schema_id": ids["candidate"], "compared_schema_id": ids["existing"], "mode": "BACKWARD"}
        self.compat_body = self.write("compat_body.json", workload.dumps(compat_request))
        check = harness.call(registry.port, "POST", "/api/v1/compatibility/check", compat_request)
        validate = harness.call(registry.port, "POST", f"/api/v1/validate/{hot_ids[0]}", workload.VALIDATE_DOCUMENT)
        if check.status != 200 or validate.status != 200 or not validate.json()["is_valid"]:
            raise BenchError(
                f"sanity checks failed: compatibility {check.status} {check.body[:300]!r}, "
                f"validate {validate.status} {validate.body[:300]!r}"
            )
        self.facts["compatibility_verdict"] = check.json().get("is_compatible")
        get = harness.call(registry.port, "GET", f"/api/v1/schemas/{hot_ids[0]}")
        if get.status != 200:
            raise BenchError(f"GET of a seeded schema: {get.status} {get.body[:300]!r}")
        # The bare app answers with exactly the registry's response to this request.
        self.get_body = self.write("get_body.json", get.body.decode())
        self.facts["get_response_bytes"] = len(get.body)
        self.register_template = self.write(
            "register_template.json",
            '{"subject":"%s","schema":' + workload.dumps(workload.SCHEMA).replace("%", "%%") + ',"schema_type":"json"}',
        )

    def core(self, database_url: str) -> None:
        stored = count_versions(database_url)
        all_ids = self.write("all_ids_small.txt", "")
        dump_ids(database_url, all_ids)
        hot = [str(self.hot_ids_file)]
        validate_args = [str(self.hot_ids_file), "/api/v1/validate/", str(self.validate_body)]
        bare_get = self.add(Endpoint("bare_get", "bare GET (ceiling)", "core", "bare", "get_ids.lua", hot))
        get_hot = self.add(
            Endpoint(
                "get_hot",
                f"GET /schemas/{{id}} hot {HOT_SET} ({stored} stored)",
                "core",
                "registry",
                "get_ids.lua",
                hot,
                ceiling="bare_get",
            )
        )
        bare_validate = self.add(
            Endpoint("bare_validate", "bare validate (ceiling)", "core", "bare", "post_ids.lua", validate_args)
        )
        validate = self.add(
            Endpoint(
                "validate",
                "POST /validate/{id}",
                "core",
                "registry",
                "post_ids.lua",
                validate_args,
                ceiling="bare_validate",
            )
        )
        get_uniform = self.add(
            Endpoint(
                "get_uniform",
                f"GET /schemas/{{id}} uniform ({stored} stored)",
                "core",
                "registry",
                "get_ids.lua",
                [str(all_ids)],
                ceiling="bare_get",
            )
        )
        compat = self.add(
            Endpoint(
                "compat",
                "POST /compatibility/check",
                "core",
                "registry",
                "post_const.lua",
                ["/api/v1/compatibility/check", str(self.compat_body)],
            )
        )
        self.facts["stored_core"] = stored
        self.warm(bare_get, get_hot, bare_validate, validate, compat)
        self.rounds([bare_get, get_hot, bare_validate, validate, get_uniform, compat], "core")

    def register(self) -> None:
        endpoint = self.add(
            Endpoint(
                "register",
                "POST /schemas (new subject)",
                "register",
                "registry",
                "register.lua",
                [str(self.register_template), "r"],
                note="200/201 count as success",
            )
        )
        for number in range(1, self.options.rounds + 1):
            log(f"register: round {number}/{self.options.rounds}")
            endpoint.args[-1] = f"{self.stamp}r{number}"
            self.run(endpoint, self.options.seconds)

    def bulk(self, database_url: str) -> None:
        count = self.options.bulk
        log(f"bulk: COPY-loading {count:,} schemas")
        seconds = bulk_load(database_url, count)
        stored = count_versions(database_url)
        log(f"bulk: loaded {count:,} in {seconds:.1f}s; {stored:,} schemas stored")
        all_ids = self.scratch / "all_ids_big.txt"
        dump_ids(database_url, all_ids)
        self.facts["bulk"] = {"loaded": count, "load_seconds": round(seconds, 1), "stored": stored}
        hot = self.add(
            Endpoint(
                "get_hot_bulk",
                f"GET /schemas/{{id}} hot {HOT_SET} ({stored:,} stored)",
                "bulk",
                "registry",
                "get_ids.lua",
                [str(self.hot_ids_file)],
                ceiling="bare_get",
            )
        )
        uniform = self.add(
            Endpoint(
                "get_uniform_bulk",
                f"GET /schemas/{{id}} uniform ({stored:,} stored)",
                "bulk",
                "registry",
                "get_ids.lua",
                [str(all_ids)],
                ceiling="bare_get",
            )
        )
        self.warm(hot)
        self.rounds([hot, uniform], "bulk")

    def probe_chain(self, size: int, subjects_file: Path, template: Path) -> dict[str, Any]:
        """Registrations one at a time on one connection: the cost of one, without queueing."""
        registry = self.servers["registry"]
        subjects = subjects_file.read_text().split()
        pattern = template.read_text()
        timings = []
        for number in range(self.options.serial_probes):
            body = pattern % (subjects[number % len(subjects)], f"probe {self.stamp} {number}")
            started = time.perf_counter()
            reply = harness.call(registry.port, "POST", "/api/v1/schemas", raw=body.encode(), timeout=120)
            timings.append((time.perf_counter() - started) * 1000)
            if reply.status not in (200, 201):
                raise BenchError(f"chain {size} probe: {reply.status} {reply.body[:300]!r}")
        result = {
            "samples": len(timings),
            "median_ms": round(statistics.median(timings), 2),
            "min_ms": round(min(timings), 2),
            "max_ms": round(max(timings), 2),
        }
        log(f"chains {size}: one registration alone takes {result['median_ms']:.1f} ms (median of {len(timings)})")
        return result

    def chains(self, database_url: str) -> None:
        kind = self.options.chain_kind
        growth = {}
        for size in self.options.chain_sizes:
            subjects = chain_subject_count(size)
            started = time.monotonic()
            subjects_file, template = prepare_chains(database_url, kind, size, subjects, self.scratch)
            log(f"chains: {subjects} subjects x {size} versions ({kind}) loaded in {time.monotonic() - started:.1f}s")
            endpoint = self.add(
                Endpoint(
                    f"chain_{size}",
                    f"POST /schemas into {size}-version subject",
                    "chains",
                    "registry",
                    "chain.lua",
                    [str(subjects_file), str(template), "r"],
                    note=f"BACKWARD_TRANSITIVE, {subjects} subjects of {size} versions ({kind} chain)",
                )
            )
            serial = self.probe_chain(size, subjects_file, template)
            endpoint.serial = serial
            # Registrations into long chains queue behind each other (connections x cost / workers):
            # a round must last long enough for requests to complete at all.
            queue_seconds = self.options.connections * serial["median_ms"] / 1000 / max(1, self.options.workers)
            seconds = min(max(self.options.seconds, 2.5 * queue_seconds), self.options.chain_seconds_cap)
            if seconds > self.options.seconds:
                log(
                    f"chains {size}: rounds of {seconds:.1f}s (one registration takes ~{serial['median_ms']:.0f} ms "
                    f"alone, ~{queue_seconds:.1f}s queued behind {self.options.connections} connections)"
                )
            endpoint.round_seconds = seconds
            for number in range(1, self.options.rounds + 1):
                log(f"chains {size}: round {number}/{self.options.rounds}")
                endpoint.args[-1] = f"{self.stamp}r{number}"
                self.run(endpoint, seconds)
            growth[str(size)] = {
                "subjects": subjects,
                "versions_at_start": size,
                "versions_at_end": chain_version_counts(database_url, size),
            }
        self.facts["chains"] = {"kind": kind, "subjects": growth}


# -- reporting ------------------------------------------------------------------------------


def median_summary(endpoint: Endpoint) -> dict[str, Any]:
    rounds = endpoint.rounds
    if not rounds:
        return {}
    requests = sum(r["requests"] for r in rounds)  # responses, whatever their status
    errors = sum(r["errors"] for r in rounds)
    attempts = requests + sum(sum(r["socket_errors"].values()) for r in rounds)
    statuses: dict[int, int] = {}
    for r in rounds:
        for code, count in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        "rps": round(statistics.median(r["rps"] for r in rounds), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in rounds), 3),
        "p95_ms": round(statistics.median(r["p95_ms"] for r in rounds), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in rounds), 3),
        "requests": requests,
        "errors": errors,
        "attempts": attempts,
        "error_rate": round(errors / attempts, 5) if attempts else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def report(bench: Benchmark) -> tuple[dict[str, Any], str]:
    summaries = {key: median_summary(endpoint) for key, endpoint in bench.endpoints.items()}
    results: dict[str, Any] = {}
    for key, endpoint in bench.endpoints.items():
        summary = summaries[key]
        ratio = p99_ratio = None
        ceiling = summaries.get(endpoint.ceiling or "", {})
        if ceiling.get("rps"):
            ratio = round(summary["rps"] / ceiling["rps"], 3)
        if ceiling.get("p99_ms") and summary.get("p99_ms"):
            p99_ratio = round(summary["p99_ms"] / ceiling["p99_ms"], 3)
        results[key] = {
            "label": endpoint.label,
            "group": endpoint.group,
            "target": endpoint.target,
            "ceiling": endpoint.ceiling,
            "ratio_to_ceiling": ratio,
            "p99_ratio_to_ceiling": p99_ratio,
            "note": endpoint.note,
            **summary,
            "rounds": endpoint.rounds,
        }
        if endpoint.serial is not None:
            results[key]["serial"] = endpoint.serial
            results[key]["round_seconds"] = endpoint.round_seconds
    chains = [key for key in results if key.startswith("chain_")]
    if chains and results[chains[0]].get("serial"):
        base = results[chains[0]]["serial"]["median_ms"]
        for key in chains:
            results[key]["cost_vs_smallest_chain"] = round(results[key]["serial"]["median_ms"] / base, 2)

    header = (
        f"{'endpoint':<48} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>8} "
        f"{'ratio':>8} {'p99 ratio':>10}"
    )
    lines = [header, "-" * len(header)]
    group = None
    for result in results.values():
        if result["group"] != group:
            group = result["group"]
            lines.append(f"[{group}]")
        if not result.get("attempts"):
            lines.append(f"{result['label']:<48} (no requests)")
            continue
        ratio = f"{result['ratio_to_ceiling']:.2f}x" if result["ratio_to_ceiling"] is not None else ""
        p99_ratio = f"{result['p99_ratio_to_ceiling']:.2f}x" if result["p99_ratio_to_ceiling"] is not None else ""
        if "cost_vs_smallest_chain" in result:
            ratio = f"{result['cost_vs_smallest_chain']:.1f}x"
        lines.append(
            f"{result['label']:<48} {result['rps']:>9.0f} {result['p50_ms']:>8.2f} {result['p95_ms']:>8.2f} "
            f"{result['p99_ms']:>8.2f} {result['errors']:>8} {ratio:>8} {p99_ratio:>10}"
        )
    return results, "\n".join(lines)


# -- main ---------------------------------------------------------------------------------


def prune_logs(directory: Path, keep: int) -> None:
    """Server logs grow by tens of MB a run (one access line per request): keep the last few runs'."""
    if directory.is_dir():
        runs = sorted((p for p in directory.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in runs[:-keep] if keep else runs:
            shutil.rmtree(old, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--short", action="store_true", help="everything in about two minutes: 2 rounds of 2 s, 100,000 bulk schemas"
    )
    parser.add_argument("--rounds", type=int, help="rounds per endpoint (default 3; --short 2)")
    parser.add_argument("--seconds", type=int, help="seconds per round (default 10; --short 2)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds before the hot endpoints (default 2; --short 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", default="10s", help="wrk's per-request timeout (default 10s)")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY") or 2),
        help="gunicorn workers of both servers (default WEB_CONCURRENCY or 2)",
    )
    parser.add_argument(
        "--bulk", type=int, help="schemas to COPY-load for the bulk reads (default 1,000,000; --short 100,000)"
    )
    parser.add_argument("--chain-sizes", default="1,100,1000", help="versions per subject (default 1,100,1000)")
    parser.add_argument(
        "--chain-kind",
        choices=workload.CHAIN_KINDS,
        default="maximum",
        help="maximum: constant-size versions (default); enum: version k has k enum values",
    )
    parser.add_argument(
        "--serial-probes", type=int, help="registrations timed one at a time per chain size (default 10; --short 3)"
    )
    parser.add_argument(
        "--chain-seconds-cap",
        type=float,
        help="longest chain round, lengthened so queued requests complete (default 60; --short 8)",
    )
    parser.add_argument("--groups", default=",".join(GROUPS), help=f"subset of {','.join(GROUPS)}")
    parser.add_argument(
        "--max-error-rate",
        type=float,
        default=0.01,
        help="exit 1 when an endpoint's errors exceed this share of its requests (default 0.01)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (for inspection)")
    parser.add_argument("--output", type=Path, default=harness.RESULTS_DIR, help="results folder (bench-results)")
    options = parser.parse_args(argv)
    options.rounds = options.rounds or (2 if options.short else 3)
    options.seconds = options.seconds or (2 if options.short else 10)
    options.warmup = options.warmup if options.warmup is not None else (1 if options.short else 2)
    options.serial_probes = options.serial_probes or (3 if options.short else 10)
    options.chain_seconds_cap = options.chain_seconds_cap or (8.0 if options.short else 60.0)
    options.bulk = options.bulk if options.bulk is not None else (100_000 if options.short else 1_000_000)
    options.chain_sizes = [int(size) for size in options.chain_sizes.split(",") if size.strip()]
    options.groups = [group.strip() for group in options.groups.split(",") if group.strip()]
    unknown = set(options.groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    if options.connections < options.threads:
        parser.error("--connections must be at least --threads")
    return options


def run_groups(bench: Benchmark, options: argparse.Namespace, database_url: str, logs: Path) -> None:
    """The selected groups, in order, against the started registry (and, for core, the bare ceiling)."""
    if "core" in options.groups:
        bare = harness.bare_server(bench.get_body, logs / "bare.log", options.workers)
        bench.servers["bare"] = bare
        try:
            bare.start()
            bench.core(database_url)
        finally:
            bare.stop()
    if "register" in options.groups:
        bench.register()
    if "bulk" in options.groups:
        bench.bulk(database_url)
    if "chains" in options.groups:
        bench.chains(database_url)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    executable = shutil.which("wrk")
    if executable is None:
        log("wrk is not installed: `make bench` installs it (apt-get install -y wrk)")
        return 2
    stamp = harness.run_stamp()
    started = time.monotonic()
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    wrk = Wrk(executable, options.threads, options.connections, options.timeout)
    logs = options.output / "logs" / stamp
    log(
        f"run {stamp}: {options.rounds} rounds x {options.seconds:g}s, wrk -t{options.threads} "
        f"-c{options.connections}, {options.workers} workers; server logs in {logs}"
    )
    prune_logs(options.output / "logs", keep=3)
    load_before = os.getloadavg()
    with harness.scratch_directory("registry-bench-") as scratch:
        bench = Benchmark(options, wrk, scratch, stamp)
        try:
            with (
                harness.bench_database(stamp, keep=options.keep) as database_url,
                harness.bench_redis(stamp) as (redis_url, redis_prefix),
            ):
                registry = harness.registry_server(
                    database_url, redis_url, redis_prefix, logs / "registry.log", options.workers, scratch / "metrics"
                )
                bench.servers["registry"] = registry
                try:
                    registry.start()
                    bench.seed(registry)
                    run_groups(bench, options, database_url, logs)
                finally:
                    registry.stop()
        except BenchError as error:
            log(f"FAILED: {error}")
            return 1
        except KeyboardInterrupt:
            log("interrupted")
            return 130

    results, table = report(bench)
    document = {
        "stamp": stamp,
        "started_at": started_at,
        "git": harness.git_identity(),
        "settings": {
            "short": options.short,
            "rounds": options.rounds,
            "seconds": options.seconds,
            "warmup_seconds": options.warmup,
            "connections": options.connections,
            "threads": options.threads,
            "wrk_timeout": options.timeout,
            "workers": options.workers,
            "bulk": options.bulk,
            "chain_sizes": options.chain_sizes,
            "chain_kind": options.chain_kind,
            "groups": options.groups,
            "gunicorn": harness.gunicorn_worker_settings(),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "wrk": wrk_version(executable),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "facts": bench.facts,
        "endpoints": results,
        "elapsed_seconds": round(time.monotonic() - started, 1),
    }
    options.output.mkdir(parents=True, exist_ok=True)
    path = options.output / f"{stamp}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    shutil.copyfile(path, options.output / "latest.json")

    print()
    print(table)
    print()
    print(
        "ratio: req/s relative to the bare ceiling (GET vs bare GET, validate vs bare validate); "
        "p99 ratio: p99 latency relative to the ceiling's"
    )
    if "bulk" in bench.facts:
        bulk = bench.facts["bulk"]
        print(
            f"bulk: {bulk['loaded']:,} schemas COPY-loaded in {bulk['load_seconds']}s"
            + (" (--short: 100k instead of 1M)" if options.short and options.bulk == 100_000 else "")
        )
    if "chains" in bench.facts:
        first_chain = options.chain_sizes[0]
        print("chains: the ratio column is the cost of one registration (timed alone) relative to the smallest chain")
        for size, growth in bench.facts["chains"]["subjects"].items():
            end = growth["versions_at_end"]
            serial = results[f"chain_{size}"]["serial"]
            print(
                f"chain {size}: one registration alone {serial['median_ms']:.1f} ms "
                f"({results[f'chain_{size}']['cost_vs_smallest_chain']:.1f}x the {first_chain}-version cost); "
                f"{growth['subjects']} subjects, versions per subject {size} -> avg {end['average']} "
                f"(max {end['max']}) after the runs"
            )
    print(
        f"git {document['git']['commit'] or '?'}{' (dirty)' if document['git']['dirty'] else ''}; "
        f"results: {path} (and {options.output / 'latest.json'}); {document['elapsed_seconds']}s total"
    )

    def erring(result: dict[str, Any]) -> bool:
        return result.get("attempts", 0) == 0 or result.get("error_rate", 0) > options.max_error_rate

    # Registrations into long chains under 32 connections measure contention: errors there
    # (503 DATABASE_BUSY once queued requests wait past DATABASE_POOL_TIMEOUT_SECONDS) are
    # results, reported, not a broken run.
    for result in results.values():
        if result["group"] == "chains" and erring(result):
            print(
                f"WARNING: {result['label']}: {result.get('errors', 0)} errors of {result.get('attempts', 0)} "
                f"requests (statuses {result.get('statuses')})"
            )
    failing = [r["label"] for r in results.values() if r["group"] != "chains" and erring(r)]
    if failing:
        print(f"FAILED: too many errors (> {options.max_error_rate:.1%}) or no requests: {', '.join(failing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
