"""Benchmark of the offer compass: latency on 100,000 offers (SQLite, PostgreSQL) and nDCG@10.

    make bench-offers                    # python -m bench.offers
    python -m bench.offers --offers 5000 --databases sqlite

For each database a worker process gets a fresh database of its own (a SQLite
file in a temporary folder; ``lotse_bench_<pid>`` on PostgreSQL, dropped at
the end), migrates it, loads regions, demo networks and demo offers, measures
nDCG@10 of the judged queries on the demo offers alone, then generates offers
up to ``--offers`` and runs a fixed, seeded mix of queries through the API
(in-process, with facet counts and the serialised first page) and as the one
raw SQL query that finds and ranks the first page. The last line printed is
one JSON object. Nothing here asserts timings; it measures and reports.
"""

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = os.environ.get("LOTSE_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TARGETS = {"p95_ms": 25.0, "api_over_sql": 2.0, "ndcg10": 0.9}


def code_fingerprint() -> str:
    """A short hash of the search code measured (others may edit it during a run)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "lotse" / "offers").glob("**/*.py")) + sorted(
        (ROOT / "lotse" / "offers" / "search").glob("*.txt")
    ):
        if "tests" not in path.parts and "migrations" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p95 of 200 values: the 190th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


# --- the worker: one database, in its own process ---------------------------------------


class Recorder:
    """execute_wrapper that notes every statement with its time (execution only)."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append((time.perf_counter() - started, sql, params))


def worker(args: argparse.Namespace) -> int:
    label = args.worker

    def say(message: str = "") -> None:
        for line in message.splitlines() or [""]:
            print(f"[{label}] {line}", flush=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import translation

    from lotse.network.demo import load_demo_data
    from lotse.network.regions import load_regions
    from lotse.offers.catalogue import catalogue_changed
    from lotse.offers.demo import load_demo_offers
    from lotse.offers.models import Offer

    from .offer_corpus import generate_offers
    from .offer_queries import build_mix, evaluate, prepare

    translation.activate(settings.LANGUAGE_CODE)
    vendor = connection.vendor
    fingerprint = code_fingerprint()
    if vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        version = str(connection.cursor().connection.info.server_version)
    say(f"database: {vendor} {version}, {settings.DATABASES['default']['NAME']}")
    seed = os.environ.get("PYTHONHASHSEED")
    say(f"lotse/offers code fingerprint {fingerprint}, PYTHONHASHSEED={seed}")

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_regions()
    load_demo_data()
    load_demo_offers()
    demo_count = Offer.objects.count()
    elapsed = time.perf_counter() - started
    say(f"migrated and loaded the demo data ({demo_count} offers) in {elapsed:.1f} s")

    # Quality: the judged queries on the demo offers only, before any generated offer.
    rows = evaluate()
    ndcg = sum(row["ndcg10"] for row in rows) / len(rows)
    say(f"nDCG@10 over {len(rows)} judged queries on {demo_count} demo offers: {ndcg:.4f}")
    say("10 worst queries:")
    for row in sorted(rows, key=lambda r: (r["ndcg10"], r["query"]))[:10]:
        wanted = ", ".join(
            f"{k}:{g}" for k, g in sorted(row["relevant"].items(), key=lambda kv: -kv[1])
        )
        say(f"  {row['ndcg10']:.3f}  {row['query']!r} ({row['found']} found)")
        say(f"         top: {', '.join(row['top']) or '-'}")
        say(f"         judged: {wanted}")
        if row["unknown_keys"]:
            say(f"         judged keys not among the offers: {', '.join(row['unknown_keys'])}")

    if args.quality_only:
        Path(args.out).write_text(
            json.dumps({"database": label, "vendor": vendor, "code": fingerprint,
                        "ndcg10": round(ndcg, 4),
                        "judged_queries": len(rows), "offers": demo_count}),
            encoding="utf-8",
        )  # fmt: skip
        return 0
    say(f"generating offers up to {args.offers:,} ...")
    generation = generate_offers(args.offers, seed=args.seed, say=say)
    say(
        f"generated {generation['generated']:,} offers in {generation['seconds']:.1f} s "
        f"({generation['offers']:,} offers, {generation['search_terms']:,} search terms)"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
            say(f"VACUUM ANALYZE after the bulk load: {time.perf_counter() - started:.1f} s")
        elif args.sqlite_analyze:
            cursor.execute("ANALYZE")  # nothing in Lotse does this on its own
            say(f"ANALYZE after the bulk load: {time.perf_counter() - started:.1f} s")
        else:
            say("no ANALYZE on SQLite (Lotse runs none); --sqlite-analyze to measure with it")

    queries = build_mix(args.queries, seed=args.seed)
    client = Client()

    def api(query: Any) -> tuple[float, Any]:
        begin = time.perf_counter()
        response = client.get("/api/v1/offers/", query.params, HTTP_ACCEPT="application/json")
        body = response.content
        elapsed = time.perf_counter() - begin
        if response.status_code != 200:
            raise RuntimeError(f"{query.querystring}: HTTP {response.status_code} {body[:300]!r}")
        return elapsed * 1000, body

    def sql(query: Any, cursor: Any) -> tuple[float, list[int]]:
        begin = time.perf_counter()
        cursor.execute(query.sql, query.sql_params)
        ids = [row[0] for row in cursor.fetchall()]
        return (time.perf_counter() - begin) * 1000, ids

    # The process's first request also imports and sets up what a served process has
    # ready; the first search after a change of the offers reloads the catalogue's columns.
    begin = time.perf_counter()
    client.get("/api/v1/offers/", {"kind": "advice"}, HTTP_ACCEPT="application/json")
    first_ms = (time.perf_counter() - begin) * 1000
    catalogue_changed()
    begin = time.perf_counter()
    client.get("/api/v1/offers/", {"kind": "advice"}, HTTP_ACCEPT="application/json")
    catalogue_ms = (time.perf_counter() - begin) * 1000
    say(f"first request of the process: {first_ms:.0f} ms; first search after a change "
        f"(loads the catalogue's columns again): {catalogue_ms:.0f} ms")  # fmt: skip
    # Warm-up: every query once both ways; also checks that both give the same first page.
    # Its timings are those of cold word caches: each word's first search asks the index.
    say(f"warming up with the {len(queries)} queries ...")
    cold_ms: list[float] = []
    same_page, pages, sources = 0, {}, {}
    failed: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for query in queries:
            try:
                ms, body = api(query)
                cold_ms.append(ms)
                prepare(query)
            except Exception as error:  # a bug of the compass: reported, not measured
                reason = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
                failed.setdefault(reason, []).append(query.querystring)
                continue
            _ms, ids = sql(query, cursor)
            data = json.loads(body)
            pages[query.number] = data["count"]
            sources[query.sql_source] = sources.get(query.sql_source, 0) + 1
            found = Offer.objects.in_bulk(ids)
            # The compass may reorder the top of its first page; compare the page as a set.
            if {item["slug"] for item in data["results"]} == {found[pk].slug for pk in ids}:
                same_page += 1
            elif args.verbose:
                say(f"  first page differs: {query.querystring}")
    if failed:
        queries = [q for q in queries if q.number in pages]
        say(f"{sum(map(len, failed.values()))} queries FAILED in the API and are not measured:")
        for reason, examples in failed.items():
            say(f"  {len(examples)} x {reason}  (e.g. {examples[0]})")
    say(
        f"raw SQL: {', '.join(f'{n} from {source}' for source, n in sources.items())}; "
        f"it finds the API's first page for {same_page} of {len(queries)} queries"
    )

    cold = summary(cold_ms)
    say(f"first pass (cold word caches): p50 {cold['p50']:.2f} ms, "
        f"p95 {cold['p95']:.2f} ms")  # fmt: skip
    load_before = os.getloadavg()
    api_ms: dict[int, list[float]] = {q.number: [] for q in queries}
    sql_ms: dict[int, list[float]] = {q.number: [] for q in queries}
    for _round in range(args.repeat):
        for query in queries:
            api_ms[query.number].append(api(query)[0])
        with connection.cursor() as cursor:
            for query in queries:
                sql_ms[query.number].append(sql(query, cursor)[0])
    load_after = os.getloadavg()
    say(
        f"load average (1 min) before / after measuring: {load_before[0]:.2f} / "
        f"{load_after[0]:.2f} on {os.cpu_count()} CPUs (other processes share the machine)"
    )
    api_all = [ms for values in api_ms.values() for ms in values]
    sql_all = [ms for values in sql_ms.values() for ms in values]
    api_stats, sql_stats = summary(api_all), summary(sql_all)
    say(
        f"API  p50 {api_stats['p50']:7.2f} ms  p95 {api_stats['p95']:7.2f} ms  "
        f"max {api_stats['max']:7.2f} ms  ({len(api_all)} requests)"
    )
    say(
        f"SQL  p50 {sql_stats['p50']:7.2f} ms  p95 {sql_stats['p95']:7.2f} ms  "
        f"max {sql_stats['max']:7.2f} ms  ({len(sql_all)} queries)"
    )
    say(
        f"API / SQL: p95 {api_stats['p95'] / sql_stats['p95']:.1f}x, "
        f"p50 {api_stats['p50'] / sql_stats['p50']:.1f}x"
    )
    categories: dict[str, dict[str, Any]] = {}
    say(f"{'category':<22}{'n':>4}{'API p50':>10}{'API p95':>10}{'SQL p50':>10}{'SQL p95':>10}")
    for category in dict.fromkeys(q.category for q in queries):
        numbers = [q.number for q in queries if q.category == category]
        a = summary([ms for n in numbers for ms in api_ms[n]])
        s = summary([ms for n in numbers for ms in sql_ms[n]])
        categories[category] = {"n": len(numbers), "api": a, "sql": s}
        say(
            f"{category:<22}{len(numbers):>4}{a['p50']:>10.2f}{a['p95']:>10.2f}{s['p50']:>10.2f}{s['p95']:>10.2f}"
        )
    per_query = [
        {
            "number": q.number,
            "category": q.category,
            "query": q.querystring,
            "count": pages[q.number],
            "api_ms": min(api_ms[q.number]),
            "sql_ms": min(sql_ms[q.number]),
        }
        for q in queries
    ]
    slowest = sorted(per_query, key=lambda row: -row["api_ms"])[:10]
    say("slowest API queries (ms, found):")
    for row in slowest:
        say(f"  {row['api_ms']:7.2f} (SQL {row['sql_ms']:6.2f})  {row['count']:>6}  {row['query']}")

    # Where the time goes: per statement, Python profile, query plan. Not part of the figures.
    by_number = {q.number: q for q in queries}

    def statement_times(query: Any) -> tuple[float, list[tuple[float, str, Any]]]:
        """The API call's statements, each run again alone with fetching (SQLite works then)."""
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            total = api(query)[0]
        timed = []
        with connection.cursor() as cursor:
            for _seconds, statement, params in recorder.calls:
                begin = time.perf_counter()
                cursor.execute(statement, params)
                cursor.fetchall()
                timed.append(((time.perf_counter() - begin) * 1000, statement, params))
        return total, timed

    for row in slowest[: args.diagnose]:
        query = by_number[row["number"]]
        total, timed = statement_times(query)
        db = sum(ms for ms, _statement, _params in timed)
        say(f"--- {query.querystring}: {total:.2f} ms in all; its {len(timed)} statements "
            f"take {db:.2f} ms when run alone (with fetching), the rest is Python")  # fmt: skip
        for ms, statement, _params in sorted(timed, key=lambda c: -c[0])[:8]:
            say(f"  {ms:7.2f} ms  {' '.join(statement.split())[:400]}")
    if args.diagnose and slowest:
        query = by_number[slowest[0]["number"]]
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(3):
            api(query)
        profile.disable()
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(40)
        say(f"--- cProfile of 3 x {query.querystring} (cumulative):")
        say("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))
        _total, timed = statement_times(query)
        _ms, statement, params = max(timed, key=lambda c: c[0])
        explain = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(explain + statement, params)
            plan = "\n".join("  " + " ".join(str(col) for col in r) for r in cursor.fetchall())
        say(f"--- plan of its slowest statement ({_ms:.2f} ms): {' '.join(statement.split())}")
        say(f"    params: {params}")
        say(plan)

    result = {
        "database": label,
        "vendor": vendor,
        "code": fingerprint,
        "offers": generation["offers"],
        "generation_seconds": round(generation["seconds"], 1),
        "search_terms": generation["search_terms"],
        "ndcg10": round(ndcg, 4),
        "judged_queries": len(rows),
        "ndcg_worst": [
            {"query": r["query"], "ndcg10": round(r["ndcg10"], 3), "top": r["top"]}
            for r in sorted(rows, key=lambda r: r["ndcg10"])[:10]
        ],
        "queries": len(queries),
        "failed_queries": {reason: len(examples) for reason, examples in failed.items()},
        "repeat": args.repeat,
        "same_first_page": same_page,
        "sql_sources": sources,
        "sqlite_analyze": bool(args.sqlite_analyze) if vendor == "sqlite" else None,
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "api_ms": {k: round(v, 2) for k, v in api_stats.items()},
        "catalogue_load_ms": round(catalogue_ms, 1),
        "cold_ms": {k: round(v, 2) for k, v in cold.items()},
        "sql_ms": {k: round(v, 2) for k, v in sql_stats.items()},
        "api_over_sql": round(api_stats["p95"] / sql_stats["p95"], 2),
        "api_over_sql_p50": round(api_stats["p50"] / sql_stats["p50"], 2),
        "categories": categories,
        "per_query": per_query,
    }
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


# --- the driver: databases, workers, the report ------------------------------------------


def _postgres(base: str, dbname: str, action: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{dbname}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def run_worker(label: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    out = tmp / f"{label}.json"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lotse.config.settings",
        "DATABASE_URL": url,
        "LOTSE_DATA_DIR": str(tmp),
        "LOTSE_DEBUG": "false",  # as in production: no query log in memory
        "LOTSE_DB_CONN_MAX_AGE": "600",  # a persistent connection, as a served process keeps
        "LOTSE_LOG_LEVEL": "WARNING",
        "LOTSE_TASK_BACKEND": "immediate",
        # Reproducible runs: the typo correction breaks ties by set order, which follows
        # the hash seed (see README); --hash-seed random shows the spread.
        "PYTHONHASHSEED": args.hash_seed,
    }
    command = [
        sys.executable, "-m", "bench.offers", "--worker", label, "--out", str(out),
        "--offers", str(args.offers), "--queries", str(args.queries), "--repeat", str(args.repeat),
        "--seed", str(args.seed), "--diagnose", str(args.diagnose),
    ]  # fmt: skip
    flags = {
        "--verbose": args.verbose,
        "--quality-only": args.quality_only,
        "--sqlite-analyze": args.sqlite_analyze,
    }
    command += [flag for flag, on in flags.items() if on]
    completed = subprocess.run(command, env=env, cwd=ROOT, check=False)  # noqa: S603
    if completed.returncode != 0 or not out.exists():
        return {"error": f"worker exited with status {completed.returncode}"}
    return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.offers", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--offers", type=int, default=100_000, help="offers in all (default 100000)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measured rounds of the mix (default 1)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--postgres", default=DEFAULT_PG, help=f"server URL (default {DEFAULT_PG})")
    parser.add_argument("--diagnose", type=int, default=3, help="break down the N slowest queries")
    parser.add_argument("--keep", action="store_true", help="keep the databases for inspection")
    parser.add_argument(
        "--quality-only", action="store_true", help="only nDCG@10 on the demo offers (seconds)"
    )
    parser.add_argument(
        "--sqlite-analyze", action="store_true", help="run ANALYZE on SQLite after generating"
    )
    parser.add_argument("--hash-seed", default="0", help="PYTHONHASHSEED of the workers")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="lotse-bench-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for label in [name.strip() for name in args.databases.split(",") if name.strip()]:
            if label == "sqlite":
                results[label] = run_worker(label, f"sqlite:///{tmp / 'bench.sqlite3'}", tmp, args)
            elif label == "postgres":
                dbname = f"lotse_bench_{os.getpid()}"
                try:
                    _postgres(args.postgres, dbname, "create")
                except Exception as error:  # unreachable, refused, no rights: say why
                    reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
                    print(f"[postgres] not measured: {reason}", flush=True)
                    results[label] = {"skipped": f"PostgreSQL at {args.postgres}: {reason}"}
                    continue
                try:
                    results[label] = run_worker(label, f"{args.postgres}/{dbname}", tmp, args)
                finally:
                    if args.keep:
                        print(f"[postgres] kept {args.postgres}/{dbname}", flush=True)
                    else:
                        _postgres(args.postgres, dbname, "drop")
            else:
                parser.error(f"unknown database {label!r}")
    finally:
        if args.keep:
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    def value(label: str, *path: str) -> Any:
        node: Any = results.get(label, {})
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    ndcgs = [r["ndcg10"] for r in results.values() if "ndcg10" in r]
    report: dict[str, Any] = {
        "p95_ms_sqlite": value("sqlite", "api_ms", "p95"),
        "p95_ms_postgres": value("postgres", "api_ms", "p95"),
        "api_over_sql_sqlite": value("sqlite", "api_over_sql"),
        "api_over_sql_postgres": value("postgres", "api_over_sql"),
        # The lower of the two databases: the target must hold on both.
        "ndcg10": min(ndcgs) if ndcgs else None,
        "ndcg10_sqlite": value("sqlite", "ndcg10"),
        "ndcg10_postgres": value("postgres", "ndcg10"),
        "p95_ms_cold_sqlite": value("sqlite", "cold_ms", "p95"),
        "p95_ms_cold_postgres": value("postgres", "cold_ms", "p95"),
        "catalogue_load_ms_sqlite": value("sqlite", "catalogue_load_ms"),
        "catalogue_load_ms_postgres": value("postgres", "catalogue_load_ms"),
        "p50_ms_sqlite": value("sqlite", "api_ms", "p50"),
        "p50_ms_postgres": value("postgres", "api_ms", "p50"),
        "sql_p50_ms_sqlite": value("sqlite", "sql_ms", "p50"),
        "sql_p95_ms_sqlite": value("sqlite", "sql_ms", "p95"),
        "sql_p50_ms_postgres": value("postgres", "sql_ms", "p50"),
        "sql_p95_ms_postgres": value("postgres", "sql_ms", "p95"),
        "offers": max((r.get("offers", 0) for r in results.values()), default=0),
        "queries": args.queries,
        "judged_queries": next(
            (r["judged_queries"] for r in results.values() if "judged_queries" in r), None
        ),
        "generation_seconds_sqlite": value("sqlite", "generation_seconds"),
        "generation_seconds_postgres": value("postgres", "generation_seconds"),
        "code": {label: r["code"] for label, r in results.items() if "code" in r},
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    errors = {label: r["error"] for label, r in results.items() if "error" in r}
    skipped = {label: r["skipped"] for label, r in results.items() if "skipped" in r}
    if errors or skipped:
        report["not_measured"] = {**skipped, **errors}
    print()
    columns = ("API p50", "API p95", "SQL p50", "SQL p95", "API/SQL", "nDCG@10")
    print(f"{'':<10}" + "".join(f"{column:>9}" for column in columns))
    for label, r in results.items():
        if "error" in r or "skipped" in r:
            print(f"{label:<10} not measured: {r.get('error') or r.get('skipped')}")
            continue
        if "api_ms" not in r:  # --quality-only
            print(f"{label:<10}{'':>45}{r['ndcg10']:>9.3f}")
            continue
        print(
            f"{label:<10}{r['api_ms']['p50']:>9.2f}{r['api_ms']['p95']:>9.2f}"
            f"{r['sql_ms']['p50']:>9.2f}{r['sql_ms']['p95']:>9.2f}{r['api_over_sql']:>9.1f}"
            f"{r['ndcg10']:>9.3f}"
        )
    print(
        f"targets: API p95 <= {TARGETS['p95_ms']:g} ms, API/SQL <= {TARGETS['api_over_sql']:g}x, "
        f"nDCG@10 >= {TARGETS['ndcg10']:g} ({report['offers']:,} offers, {args.queries} queries)"
    )
    print(json.dumps(report), flush=True)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
