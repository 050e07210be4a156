"""The search benchmark: `python bench/run.py` (see docs/performance.md).

For each catalogue size it builds (once) a database `bench_<size>` on the project's PostgreSQL
with `generate_catalogue`, a SQLite copy for Datasette, then measures the request set of
bench/request_set.py and prints a Markdown table; raw results go to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from databases import ROOT, manage, recreate, server  # noqa: E402
from request_set import REQUESTS  # noqa: E402


def published_count(url: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            row = conn.execute(
                "SELECT count(*) FROM catalogue_innovation WHERE source LIKE 'Synthetic%%'"
            ).fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def prepare(size: int, rebuild: bool) -> tuple[str, Path]:
    db = server()
    name = f"bench_{size}"
    from databases import url_for

    url = url_for(db, name)
    if rebuild or published_count(url) != size:
        url = recreate(db, name)
        manage(url, "migrate", "--no-input", "-v0")
        manage(url, "generate_catalogue", "--innovations", str(size))
    else:
        manage(url, "migrate", "--no-input", "-v0")  # a catalogue built by older code
    sqlite = ROOT / "var" / f"{name}.sqlite"
    if rebuild or not sqlite.exists():
        code = (
            "import django, os; from pathlib import Path\n"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()\n"
            f"from datasette_copy import export; export(Path({str(sqlite)!r}))"
        )
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": f"{ROOT}:{HERE}"}
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603
    return url, sqlite


def measure(url: str, sqlite: Path, repeat: int, datasette: int | None) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, str(HERE / "measure.py"), "--repeat", str(repeat)]
    if datasette:
        command += ["--datasette", str(sqlite), "--datasette-repeat", str(datasette)]
    out = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    )  # its errors go to the terminal
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(size: int, results: dict) -> str:
    labels = [label for label in ("sql", "api", "page", "datasette") if label in results]
    head = "| request | " + " | ".join(f"{label} p50 / p95 (ms)" for label in labels) + " |"
    lines = [f"#### {size:,} innovations", "", head, "|---" * (len(labels) + 1) + "|"]
    for name, _ in REQUESTS:
        cells = [
            f"{results[label][name]['p50']} / {results[label][name]['p95']}" for label in labels
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    worst = {label: max(results[label][n]["p95"] for n, _ in REQUESTS) for label in labels}
    lines.append(
        "| **worst p95** | " + " | ".join(f"**{worst[label]}**" for label in labels) + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument(
        "--datasette-repeat",
        type=int,
        default=5,
        help="timed repeats for Datasette, whose requests take seconds each at 100,000",
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the catalogues")
    args = parser.parse_args()
    report = {
        "when": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "repeat": args.repeat,
        "datasette_repeat": None if args.no_datasette else args.datasette_repeat,
        "sizes": {},
    }
    for size in args.sizes:
        url, sqlite = prepare(size, args.rebuild)
        datasette = None if args.no_datasette else args.datasette_repeat
        results = measure(url, sqlite, args.repeat, datasette)
        report["sizes"][size] = results
        print(table(size, results), flush=True)
        print()
    stamp = report["when"][:16].replace(":", "")
    out = HERE / "results" / f"search-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"Raw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
