"""Measure the request set of bench/requests.py against one catalogue (run by bench/run.py).

For every request it times, in this one process and on this one machine:
- `sql`: the SQL statements the search engine runs for it, replayed on a raw cursor (the floor);
- `api`: GET /api/v1/innovations/?… through Django's full stack (in-process, no socket);
- `page`: GET /innovations/?… likewise (the three are timed in turn, sample by sample, so that
  drift on a shared machine weighs on them alike);
- `datasette`: the same request against Datasette over a SQLite copy of the same data with
  FTS5 and the same facets (in-process client), when --datasette is given.

Prints one JSON document: {label: {request name: {"p50": ms, "p95": ms}}}.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The test client speaks plain HTTP, as gunicorn does behind a proxy that ends TLS.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# The benchmark measures the engine, not the API's throttle (docs/api.md, "Caching and limits").
os.environ.setdefault("API_ANON_RATE", "1000000/minute")

# The application as a server loads it (config/wsgi.py), with the same process set-up.
importlib.import_module("config.wsgi")

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from request_set import REQUESTS  # noqa: E402

from catalogue.search import search  # noqa: E402


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2)}


def timed(action, repeat: int) -> dict[str, float]:
    action()  # warm up: plans, caches, connections
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return percentiles(samples)


def engine_sql(query: str) -> list[str]:
    """The statements the engine sends for a request, as the server received them."""
    with CaptureQueriesContext(connection) as captured:
        search(QueryDict(query))
    return [q["sql"] for q in captured.captured_queries]


def replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def interleaved(actions: dict[str, Any], repeat: int) -> dict[str, dict[str, float]]:
    """Time several ways of serving one request in turn, so that drift on a shared machine
    weighs on each of them alike rather than on whichever happened to run last."""
    for action in actions.values():
        action()  # warm up: plans, caches, connections
    samples: dict[str, list[float]] = {label: [] for label in actions}
    for _ in range(repeat):
        for label, action in actions.items():
            began = time.perf_counter()
            action()
            samples[label].append((time.perf_counter() - began) * 1000)
    return {label: percentiles(times) for label, times in samples.items()}


def measure_django(repeat: int) -> dict[str, dict[str, dict[str, float]]]:
    client = Client()
    results: dict[str, dict[str, dict[str, float]]] = {"sql": {}, "api": {}, "page": {}}

    def getter(url: str):
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    for name, query in REQUESTS:
        statements = engine_sql(query)
        timings = interleaved(
            {
                "sql": lambda s=statements: replay(s),
                "api": getter(f"/api/v1/innovations/?{query}"),
                "page": getter(f"/innovations/?{query}"),
            },
            repeat,
        )
        for label, timing in timings.items():
            results[label][name] = timing
    return results


def measure_datasette(sqlite_path: Path, repeat: int) -> dict[str, dict[str, float]]:
    from datasette.app import Datasette
    from datasette_copy import datasette_path

    datasette = Datasette([str(sqlite_path)], settings={"sql_time_limit_ms": 60_000})
    loop = asyncio.new_event_loop()

    results = {}
    for name, query in REQUESTS:
        path = datasette_path(sqlite_path.stem, query)

        def get(path: str = path) -> None:
            response = loop.run_until_complete(datasette.client.get(path))
            assert response.status_code == 200, (path, response.status_code, response.text[:300])

        results[name] = timed(get, repeat)
    loop.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--datasette-repeat", type=int, help="timed repeats for Datasette (default: --repeat)"
    )
    parser.add_argument("--datasette", type=Path, help="SQLite copy to measure Datasette on")
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)  # production static files (DEBUG=0)
    results = measure_django(args.repeat)
    if args.datasette:
        results["datasette"] = measure_datasette(
            args.datasette, args.datasette_repeat or args.repeat
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
