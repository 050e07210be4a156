"""Markdown for docs/performance.md from bench/results/*.json, with the issue's targets checked.

    python bench/report.py bench/results/RUN.json [--datasette bench/results/OTHER.json]

Targets (per request, at each size): API p95 ≤ 1.5 × raw SQL p95 + 3 ms; API p95 < 80 ms;
API p95 ≤ half of Datasette's p95. --datasette takes Datasette's numbers from another run of
the same request set (Datasette's side does not change with our code).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def check(sql: float, api: float, datasette: float | None) -> str:
    misses = []
    if api > 1.5 * sql + 3:
        misses.append("overhead")
    if api >= 80:
        misses.append("≥ 80 ms")
    if datasette is not None and api > datasette / 2:
        misses.append("vs Datasette")
    return "met" if not misses else "missed: " + ", ".join(misses)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--datasette", type=Path)
    args = parser.parse_args()
    run = json.loads(args.run.read_text())
    other = json.loads(args.datasette.read_text()) if args.datasette else None
    print(f"Run {run['when']} on {run['machine']}, {run['repeat']} timed repeats per request.\n")
    for size, results in run["sizes"].items():
        ds = results.get("datasette") or (
            other["sizes"].get(size, {}).get("datasette") if other else None
        )
        print(f"#### {int(size):,} innovations\n")
        print("| request | raw SQL p95 | API p50 / p95 | page p95 | Datasette p95 | targets |")
        print("|---|---:|---:|---:|---:|---|")
        met = 0
        for name, sql in results["sql"].items():
            api, page = results["api"][name], results["page"][name]
            d = ds[name]["p95"] if ds else None
            verdict = check(sql["p95"], api["p95"], d)
            met += verdict == "met"
            print(
                f"| {name} | {sql['p95']} | {api['p50']} / {api['p95']} | {page['p95']} | "
                f"{d if d is not None else '—'} | {verdict} |"
            )
        print(f"\nAll three targets met by {met} of {len(results['sql'])} requests.\n")


if __name__ == "__main__":
    main()
