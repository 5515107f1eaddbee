"""Import and export speed through the real services, on a fresh SQLite file, in one run.

    .venv/bin/python bench/imports.py

Measures, on this machine:

1. importing ../shared/data/persuasionforgood-dev.jsonl (498 calls) and casino.jsonl (2,060),
   then importing both again (every call updated, none duplicated);
2. exporting every call as conversation JSON Lines, importing the export into a second fresh
   database, and exporting that again: the two exports must be identical (the round trip);
3. a generated HubSpot deals export of 5,000 rows (owners from a 12-rep roster): first import
   and re-import.

Prints calls (or rows) per second; results: bench/results/imports.json.
"""

from __future__ import annotations

import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from callcoach.services.exchange.calls import ExportFormat, export_calls
from callcoach.services.imports.crm import import_deals
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.db import Database
from callcoach.store.uow import Store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results" / "imports.json"
T = TypeVar("T")


def fresh_store(folder: Path, name: str) -> Store:
    database = Database(str(folder / name))
    database.migrate()
    return Store(database)


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def hubspot_deals(rows: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    owners = [f"Rep {i:02d}" for i in range(12)]
    stages = [
        "Appointment scheduled",
        "Qualified to buy",
        "Contract sent",
        "Closed won",
        "Closed lost",
    ]
    lines = [
        "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Create Date,Associated Company"
    ]
    for i in range(rows):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        lines.append(
            f"{9_000_000_000 + i},Account {i} - pilot,{rng.choice(stages)},2026-{month:02d}-{day:02d} 00:00,"
            f"{rng.choice(owners)},{rng.randint(5, 200) * 500},2025-{month:02d}-{day:02d} 09:30,Account {i}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    corpora = [DATA / "persuasionforgood-dev.jsonl", DATA / "casino.jsonl"]
    if not all(p.exists() for p in corpora):
        print(f"shared data not found in {DATA}", file=sys.stderr)
        return 1
    figures: dict[str, Any] = {"command": "python bench/imports.py"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = fresh_store(folder, "bench.db")
        first, seconds = timed(lambda: import_calls(store, corpora))
        assert first.ok and first.created == 2558, first.files
        figures["first_import_calls"] = first.created
        figures["first_import_seconds"] = round(seconds, 2)
        figures["first_import_calls_per_second"] = round(first.created / seconds, 1)
        again, seconds = timed(lambda: import_calls(store, corpora))
        assert again.ok and (again.created, again.updated) == (0, 2558)
        figures["reimport_seconds"] = round(seconds, 2)
        figures["reimport_calls_per_second"] = round(again.updated / seconds, 1)

        out = io.StringIO()
        summary, seconds = timed(lambda: export_calls(store, out, fmt=ExportFormat.jsonl))
        figures["export_calls"] = summary.calls
        figures["export_seconds"] = round(seconds, 2)
        export_file = folder / "export.jsonl"
        export_file.write_text(out.getvalue(), encoding="utf-8")
        second = fresh_store(folder, "second.db")
        back, seconds = timed(lambda: import_calls(second, [export_file]))
        assert back.ok and back.created == 2558, back.files
        figures["import_of_export_seconds"] = round(seconds, 2)
        again_out = io.StringIO()
        export_calls(second, again_out, fmt=ExportFormat.jsonl)
        figures["round_trip_identical"] = again_out.getvalue() == out.getvalue()

        deals = folder / "hubspot-deals.csv"
        deals.write_text(hubspot_deals(5000), encoding="utf-8")
        report, seconds = timed(lambda: import_deals(store, [deals]))
        assert report.ok and report.created == 5000, report.files
        figures["deals_rows"] = 5000
        figures["deals_first_import_seconds"] = round(seconds, 2)
        figures["deals_rows_per_second"] = round(5000 / seconds, 1)
        report, seconds = timed(lambda: import_deals(store, [deals]))
        assert report.ok and report.updated == 5000
        figures["deals_reimport_seconds"] = round(seconds, 2)
        store.close()
        second.close()
    for key, value in figures.items():
        print(f"{key:32} {value}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["round_trip_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
