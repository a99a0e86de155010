"""What contact policies cost the claim
(docs/performance.md, "Contact policies: the judged claim against a large ledger"): the
goal is a claim of 50 under ``us-regf``, ``us-fl-ftsa`` and ``uk-ofcom-abandoned`` at
10,000,000 ledger rows within 1.25× of the same claim at an empty ledger.

One store, two VDNs. VDN 12 is under contact policies (the three presets, country ``US``):
a telemarketing predictive campaign (Florida numbers, every tenth a London one, so
``us-fl-ftsa`` and ``uk-ofcom-abandoned`` apply) and a collection progressive one
(``us-regf`` applies). VDN 13 configures nothing: its claims only record their ledger rows.
Each campaign holds NUMBERS numbers loaded with SQL, each its own person (so no claim is
refused by another call in flight). Claims go through ``DialerService.claim`` (the code
behind ``callnos``) in interleaved rounds over the three campaigns, first at an empty
ledger, then after LEDGER rows were loaded with SQL into VDN 12's ledger — on the same
persons' and numbers' keys as the candidates (about LEDGER / 1,000,000 rows per key),
ended 8 to 60 days ago, so they are read past by the index probes but refuse nothing.

Prints one Markdown row per store: the median claim (ms) of each kind at an empty ledger
and at LEDGER rows, and the ratios: judged at LEDGER / judged empty (the goal), the
unconfigured VDN at LEDGER / empty, and judged / unconfigured at LEDGER.

    python bench/contact_claims.py                       # both stores, 10,000,000 rows
    python bench/contact_claims.py --backend sqlite --ledger 1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import BenchStore, campaign_columns, prepare
from sqlalchemy import text

from isales.clock import system_clock
from isales.services.contact_policies import Actor

NUMBERS_SQLITE = """
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO numbers (campaign_id, vdn_id, called, number_key, person_id, subject_ids, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, :vdn,
       CASE WHEN x % 10 = 0 THEN '4420' || printf('%08d', x) ELSE :area || printf('%07d', x) END,
       CASE WHEN x % 10 = 0 THEN '+4420' || printf('%08d', x)
            ELSE '+1' || :area || printf('%07d', x) END,
       :person || x, 'S-1', 'pending', 0, :due, :due, 0
FROM seq
"""
NUMBERS_PG = """
INSERT INTO numbers (campaign_id, vdn_id, called, number_key, person_id, subject_ids, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, :vdn,
       CASE WHEN x % 10 = 0 THEN '4420' || lpad(x::text, 8, '0')
            ELSE :area || lpad(x::text, 7, '0') END,
       CASE WHEN x % 10 = 0 THEN '+4420' || lpad(x::text, 8, '0')
            ELSE '+1' || :area || lpad(x::text, 7, '0') END,
       :person || x, 'S-1', 'pending', 0, :due, :due, 0
FROM generate_series(1, :total) AS x
"""
#: old attempts on the candidates' own keys (persons P-/Q- 1..1,000,000 and their numbers)
LEDGER_SQLITE = """
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO contact_attempts (id, vdn_id, campaign_id, data_id, called, number_key, person_id,
    subject_ids, channel, direction, purpose, technology, placed_at, ended_at, dialled,
    status, fail_code, classes, voided, origin)
SELECT 'old-' || x, 12, NULL, NULL, '305' || printf('%07d', x % 1000000),
       '+1305' || printf('%07d', x % 1000000),
       CASE x % 2 WHEN 0 THEN 'P-' ELSE 'Q-' END || (x % 1000000), 'S-1', 'voice', 'outbound',
       'telemarketing', 'predictive',
       datetime(:now, '-' || (8 + x % 52) || ' days'),
       datetime(:now, '-' || (8 + x % 52) || ' days'),
       0, '5', '00603', 'placed,connected', 0, '{"kind": "import"}'
FROM seq
"""
LEDGER_PG = """
INSERT INTO contact_attempts (id, vdn_id, campaign_id, data_id, called, number_key, person_id,
    subject_ids, channel, direction, purpose, technology, placed_at, ended_at, dialled,
    status, fail_code, classes, voided, origin)
SELECT 'old-' || x, 12, NULL, NULL, '305' || lpad((x % 1000000)::text, 7, '0'),
       '+1305' || lpad((x % 1000000)::text, 7, '0'),
       CASE x % 2 WHEN 0 THEN 'P-' ELSE 'Q-' END || (x % 1000000), 'S-1', 'voice', 'outbound',
       'telemarketing', 'predictive',
       CAST(:now AS timestamp) - (8 + x % 52) * interval '1 day',
       CAST(:now AS timestamp) - (8 + x % 52) * interval '1 day',
       0, '5', '00603', 'placed,connected', 0, '{"kind": "import"}'
FROM generate_series(1, :total) AS x
"""

KINDS = ("telemarketing", "collection", "unconfigured")
#: a PostgreSQL store seals access keys' secrets: a throw-away master key for the run
os.environ.setdefault("ISALES_MASTER_KEY", "YmVuY2gtbWFzdGVyLWtleS0wMDAwMDAwMDAwMDAwMDA=")


def build(store: BenchStore, numbers: int):  # type: ignore[no-untyped-def]
    services = prepare(store.url, lease_seconds=86_400)
    actor = Actor("bench", None)
    services.contacts.put_settings(12, {"default_country": "US"}, actor)
    for preset in ("us-regf", "us-fl-ftsa", "uk-ofcom-abandoned"):
        body = {"name": preset, "preset": preset, "scope": "tenant", "jurisdictions": []}
        services.contacts.add_policy(12, body, actor)
    campaigns = {}
    for kind, vdn, device, purpose, person in (
        ("telemarketing", 12, 2, "telemarketing", "P-"),
        ("collection", 12, 6, "collection", "Q-"),
        ("unconfigured", 13, 2, None, "R-"),
    ):
        columns = {**campaign_columns(f"bench-{kind}"), "device_type": device}
        if purpose:
            columns["contact_policy"] = {"purpose": purpose}
        campaign_id = services.campaigns.create(vdn, columns, init_status=0, api_version=1)
        campaigns[kind] = (vdn, campaign_id)
        with services.store.write() as conn:
            conn.execute(
                text(NUMBERS_SQLITE if store.backend == "sqlite" else NUMBERS_PG),
                {
                    "total": numbers,
                    "campaign": campaign_id,
                    "vdn": vdn,
                    "area": "305" if kind != "collection" else "786",
                    "person": person,
                    "due": system_clock() - timedelta(hours=1),
                },
            )
    analyze(services, store.backend)
    return services, campaigns


def analyze(services, backend: str) -> None:  # type: ignore[no-untyped-def]
    with services.store.engine.connect() as conn:
        if backend == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def load_ledger(services, backend: str, total: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    sql = LEDGER_SQLITE if backend == "sqlite" else LEDGER_PG
    step = 1_000_000
    for offset in range(0, total, step):
        with services.store.write() as conn:
            conn.execute(
                text(sql.replace("SELECT 'old-' || x", "SELECT 'old-' || (x + :offset)")),
                {"total": min(step, total - offset), "now": system_clock(), "offset": offset},
            )
    analyze(services, backend)
    return time.perf_counter() - started


def measure(services, campaigns, batch: int, rounds: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        for kind in KINDS:
            vdn, campaign_id = campaigns[kind]
            started = time.perf_counter()
            claim = services.dialer.claim(vdn, campaign_id, "bench", batch)
            timings[kind].append(time.perf_counter() - started)
            assert claim is not None and len(claim.numbers) == batch, (kind, claim)
    return {kind: statistics.median(values) * 1000 for kind, values in timings.items()}


def run(backend: str, numbers: int, ledger: int, batch: int, rounds: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="isales-bench-"))
    store = BenchStore(backend, workdir)
    try:
        services, campaigns = build(store, numbers)
        measure(services, campaigns, batch, 3)  # warm up
        empty = measure(services, campaigns, batch, rounds)
        seconds = load_ledger(services, backend, ledger)
        print(f"# {backend}: {ledger:,} ledger rows loaded in {seconds:.0f} s", file=sys.stderr)
        full = measure(services, campaigns, batch, rounds)
        services.close()
        judged_empty = (empty["telemarketing"] + empty["collection"]) / 2
        judged_full = (full["telemarketing"] + full["collection"]) / 2
        return (
            f"| {backend} | {ledger:,} | {batch} | {judged_empty:.2f} / {judged_full:.2f} ms | "
            f"**{judged_full / judged_empty:.2f}** | "
            f"{empty['unconfigured']:.2f} / {full['unconfigured']:.2f} ms | "
            f"{full['unconfigured'] / empty['unconfigured']:.2f} | "
            f"{judged_full / full['unconfigured']:.2f} |"
        )
    finally:
        store.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--numbers", type=int, default=20_000, help="numbers per campaign")
    parser.add_argument("--ledger", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        "| store | ledger rows | batch | judged claim, empty / full | ratio (goal ≤ 1.25) | "
        "unconfigured VDN, empty / full | ratio | judged / unconfigured |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for backend in backends:
        print(run(backend, args.numbers, args.ledger, args.batch, args.rounds), flush=True)


if __name__ == "__main__":
    main()
