"""The load test: `python bench/loadtest.py` (docs/performance.md, "Load").

Builds the 100,000-innovation catalogue once (as bench/run.py does), collects the static
files, starts gunicorn with gunicorn.conf.py and production settings on loopback, runs locust
headless (50 visitors for 2 minutes by default; bench/load/locustfile.py), then stops it,
deletes the registrations it made, and prints each kind of request's p50, p95 and failures
against the targets: p95 under 300 ms for pages, under 150 ms for the API, and no errors.
Raw locust statistics go to bench/results/load-<time>_stats.csv.

`--instances 2` deploys as docs/operations.md does past one machine: two gunicorn instances
sharing one Redis (the cache, throttles, limits) and reading from a streaming replica of the
database (copied with pg_basebackup, as the tests' replicas are), the visitors shared between
the instances in turn.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from databases import ROOT, server  # noqa: E402
from run import prepare  # noqa: E402

sys.path.insert(0, str(ROOT))

TARGETS_MS = {"page": 300, "api": 150}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting: see its log")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def report(stats: Path) -> bool:
    """Print one row per kind of request; return whether every target was met (and both
    groups were measured at all)."""
    met, groups = True, set()
    print("| request | count | failures | p50 ms | p95 ms | target |")
    print("|---|---:|---:|---:|---:|---|")
    with stats.open() as f:
        for row in csv.DictReader(f):
            name = row["Name"]
            if name in ("Aggregated", "api: setup"):
                continue
            group = name.split(":")[0]
            groups.add(group)
            p95 = float(row["95%"])
            failures = int(row["Failure Count"])
            ok = failures == 0 and p95 <= TARGETS_MS[group]
            met &= ok
            print(
                f"| {name} | {row['Request Count']} | {failures} | {row['50%']} | {p95:g} | "
                f"{'met' if ok else 'MISSED'} (p95 ≤ {TARGETS_MS[group]}) |"
            )
    return met and groups == set(TARGETS_MS)


@contextlib.contextmanager
def shared_state(name: str):
    """A Redis server and a streaming replica of the project's PostgreSQL, for several
    instances: the settings that point at them (REDIS_URL, DATABASE_REPLICA_URLS)."""
    from tests.servers import Server, redis_server

    db = server()  # the embedded server, started if need be: the primary
    folder = ROOT / "var" / "loadtest-redis"
    folder.mkdir(parents=True, exist_ok=True)

    class Primary:  # what Server(replica_of=…) reads of a server: where it listens
        folder = Path(db["HOST"])
        port = int(db["PORT"] or 5432)

    replica = Server(replica_of=Primary())  # type: ignore[arg-type]
    with redis_server(folder) as redis_url:
        replica.start()
        try:
            yield {"REDIS_URL": redis_url, "DATABASE_REPLICA_URLS": replica.url(name)}
        finally:
            replica.stop()
            replica.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", default="2m")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorn instances; past one, they share a Redis and read from a replica",
    )
    args = parser.parse_args()
    if importlib.util.find_spec("locust") is None:
        sys.exit("locust is not installed: run `make loadtest`, or pip install -e '.[bench]'")

    url, _ = prepare(args.size, rebuild=False)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    static = ROOT / "var" / "loadtest-static"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(static),
        "CONN_MAX_AGE": "60",
        "BIND": f"127.0.0.1:{port}",
        # One client address makes every request: the per-address limits would stop it.
        "API_ANON_RATE": "1000000/minute",
        "REGISTRATION_LIMIT_PER_ADDRESS": "1000000",
        "REGISTRATION_LIMIT_PER_EMAIL": "1000000",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    ports = [port] + [free_port() for _ in range(args.instances - 1)]
    hosts = [f"http://127.0.0.1:{p}" for p in ports]
    prefix = results / f"load-{stamp}"
    with contextlib.ExitStack() as shared:
        if args.instances > 1:
            env.update(shared.enter_context(shared_state(f"bench_{args.size}")))
        servers = []
        for number, instance_port in enumerate(ports):
            log = shared.enter_context(
                (ROOT / "var" / f"loadtest-gunicorn-{number + 1}.log").open("w")
            )
            servers.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "gunicorn"],
                    cwd=ROOT,
                    env={**env, "BIND": f"127.0.0.1:{instance_port}"},
                    stdout=log,
                    stderr=log,
                )
            )
        try:
            for host, process in zip(hosts, servers, strict=True):
                wait_until_up(host, process)
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(HERE / "load" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    "10",
                    "--run-time",
                    args.run_time,
                    "--host",
                    base,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_HOSTS": ",".join(hosts)},
                check=False,
            )
        finally:
            for process in servers:
                process.terminate()
            for process in servers:
                process.wait(timeout=60)
            with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
                conn.execute(
                    'DELETE FROM kernel_outgoingemail WHERE "to" LIKE %s', ["%@load.invalid"]
                )
                conn.execute(
                    "DELETE FROM adopters_registrationofinterest WHERE email LIKE %s",
                    ["%@load.invalid"],
                )
    if args.instances > 1:
        print(f"\n{args.instances} instances sharing one Redis, reading from one replica")
    print(f"\n{args.users} visitors for {args.run_time} on {args.size:,} innovations ({stamp})\n")
    met = report(Path(f"{prefix}_stats.csv"))
    for extra in ("_stats_history.csv", "_failures.csv", "_exceptions.csv"):
        Path(f"{prefix}{extra}").unlink(missing_ok=True)
    print("\nAll targets met." if met else "\nSome targets were missed.")


if __name__ == "__main__":
    main()
