"""Record linkage of person records: quality and speed on a labelled synthetic set.

The generator makes N people and 1–4 records each (street encounters, admissions, family
inquiries) with the difficulties street records really have: homophone surnames (张/章),
surnames read their own way (单 shàn, 曾 zēng), traditional characters, similar-looking
characters, nicknames (老王, 阿强), given names alone, pinyin typed for characters, ages off by a
few years, ID numbers missing for most, the same places night after night.

Three methods run on the same records, each in its own process (so that peak memory is its
own: the growth of the process's resident set, which also counts DuckDB's memory):
  - ours:   `warmwinter.people.batch` (name keys, match weights, union-find), what
            `manage.py link_records` runs;
  - splink: Splink 5 on DuckDB, trained unsupervised as its tutorials do (u by random sampling,
            m by EM), blocking on pinyin and birth year, term-frequency adjusted names;
  - exact:  one person per ID number, else per (name as written, age).
For each it prints pairwise precision, recall and F1, wall time and peak memory.
With --pg it also fills a PostgreSQL registry and prints p50/p99 of ranking candidates for one
new record against all of it (`linkage.candidates_for`, what the encounter form calls).

Splink, DuckDB and pandas come from requirements-bench.lock (`make bench` installs it); without
them the Splink row says so and the rest still runs.

Run: python bench/linkage.py [--persons N] [--seed S] [--big] [--pg [--registry N]]
(default: ≈10 k and ≈100 k records; --big adds ≈1 M; --pg needs PostgreSQL at
BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ww_people_bench, which it
creates and fills — at 1 M people that takes a while.)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from warmwinter.core import clock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warmwinter.settings")

SURNAME_SWAPS = {"张": "章", "章": "张", "陈": "陳", "刘": "劉", "黄": "黃", "王": "汪", "李": "理"}
LOOKALIKE = {"己": "已", "未": "末", "土": "士", "日": "曰", "天": "夭", "宇": "字", "斌": "彬"}
TRAD = {
    "张": "張",
    "陈": "陳",
    "国": "國",
    "华": "華",
    "伟": "偉",
    "强": "強",
    "东": "東",
    "军": "軍",
}
OWN_READING = ["单", "曾", "解", "仇", "区", "查", "朴"]
HOMOPHONE_OF_OWN = {
    "单": "善",
    "曾": "增",
    "解": "谢",
    "仇": "求",
    "区": "欧",
    "查": "扎",
    "朴": "飘",
}


def generate(n_persons: int, seed: int) -> tuple[list[dict[str, str]], list[int]]:
    from faker import Faker

    from warmwinter.people import idnumbers, names

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rows: list[dict[str, str]] = []
    truth: list[int] = []
    start = datetime(2025, 12, 1, tzinfo=clock.SHANGHAI)
    for pid in range(n_persons):
        male = rng.random() < 0.8
        name = fake.name_male() if male else fake.name_female()
        if rng.random() < 0.05:
            name = rng.choice(OWN_READING) + name[1:]
        year = rng.randint(1945, 2008)
        number = idnumbers.with_check_digit(
            f"{rng.choice(['310101', '340102', '410102', '510104'])}{year}"
            f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 99):02d}"
            f"{rng.choice('13579' if male else '02468')}"
        )
        phone = f"13{rng.randint(0, 999999999):09d}" if rng.random() < 0.15 else ""
        home = (31.10 + rng.random() * 0.25, 121.35 + rng.random() * 0.3)
        for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
            source = rng.choices(["encounter", "admission", "inquiry"], weights=[6, 3, 1])[0]
            written = name
            roll = rng.random()
            surname, given = names.split_name(name)
            if roll < 0.10 and surname in SURNAME_SWAPS:
                written = SURNAME_SWAPS[surname] + given
            elif roll < 0.15 and surname in HOMOPHONE_OF_OWN:
                written = HOMOPHONE_OF_OWN[surname] + given
            elif roll < 0.22:
                written = "".join(TRAD.get(c, c) for c in name)
            elif roll < 0.27:
                written = "".join(LOOKALIKE.get(c, c) for c in name)
            elif roll < 0.37 and source == "encounter":
                written = rng.choice(["老", "小"]) + surname
            elif roll < 0.42 and source == "encounter" and given:
                written = "阿" + given[-1]
            elif roll < 0.47 and given:
                written = given
            elif roll < 0.52:
                written = " ".join(names.surname_syllables(surname) + names.given_syllables(given))
            elif roll < 0.55 and source == "encounter":
                written = ""
            has_id = (
                source == "admission"
                and rng.random() < 0.5
                or source == "inquiry"
                and rng.random() < 0.3
            )
            age_known = rng.random() < 0.8
            seen = start + timedelta(days=rng.randint(0, 60), hours=rng.choice([1, 2, 22, 23]))
            near = source == "encounter"
            rows.append(
                {
                    "record_id": f"R{len(rows):07d}",
                    "source": source,
                    "name": written,
                    "sex": ("男" if male else "女") if rng.random() < 0.95 else "",
                    "birth_year": str(year) if has_id else "",
                    "age_estimate": str(2025 - year + rng.randint(-3, 3))
                    if age_known and not has_id
                    else "",
                    "id_number": number if has_id else "",
                    "phone": phone if rng.random() < 0.5 else "",
                    "native_place": "",
                    "dialect": "",
                    "seen_at": seen.isoformat() if near else "",
                    "lat": f"{home[0] + rng.uniform(-0.002, 0.002):.6f}" if near else "",
                    "lon": f"{home[1] + rng.uniform(-0.002, 0.002):.6f}" if near else "",
                    "description": "",
                }
            )
            truth.append(pid)
    return rows, truth


Rows = list[dict[str, str]]


def pairwise(pred: list[int], truth: list[int]) -> tuple[float, float, float]:
    def pairs(counter: Counter[object]) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    both = pairs(Counter(zip(pred, truth, strict=True)))
    predicted, actual = pairs(Counter(pred)), pairs(Counter(truth))
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ours(rows: Rows) -> list[int]:
    from warmwinter.people import batch

    records = [batch.record_from_row(r, year=2025) for r in rows]
    return batch.cluster(records)


def exact(rows: Rows) -> list[int]:
    ids: dict[str, int] = {}
    out = []
    for i, r in enumerate(rows):
        key = (
            f"id:{r['id_number']}"
            if r["id_number"]
            else f"n:{r['name']}:{r['birth_year'] or r['age_estimate']}"
        )
        if not r["name"] and not r["id_number"]:
            key = f"alone:{i}"
        out.append(ids.setdefault(key, len(ids)))
    return out


#: Splink's clustering thresholds tried; the row shows the best (generous to Splink).
SPLINK_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99)


def splink_columns(rows: Rows) -> list[dict[str, Any]]:
    """The records as Splink sees them: our pinyin (with surname readings) as the name, split
    into surname and given name where the form says so; empty values as nulls."""
    from warmwinter.people import batch, names

    out = []
    for i, r in enumerate(rows):
        rec = batch.record_from_row(r, year=2025)
        form = names.name_form(rec.name)
        name_py = form.pinyin or (names.full_pinyin(form.text) if form.text else "")
        out.append(
            {
                "unique_id": i,
                "name_py": name_py or None,
                "surname_py": form.surname_pinyin or None,
                "given_py": form.given_pinyin or None,
                "birth_year": rec.birth_year,
                "sex": rec.sex or None,
                "id_number": rec.id_number or None,
                "phone": rec.phone or None,
                "lat": rec.lat,
                "lon": rec.lon,
            }
        )
    return out


def splink(rows: Rows) -> tuple[list[int], dict[float, list[int]]] | None:
    """Splink 5 (DuckDB): dedupe, blocking on pinyin and birth year (plus ID and phone),
    Jaro–Winkler pinyin with term frequencies, age gap, sex, ID, phone and distance."""
    try:
        import pandas as pd
        import splink.comparison_level_library as cll
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError:
        return None
    import logging

    logging.disable(logging.CRITICAL)  # Splink narrates every step; the figures are below
    frame = pd.DataFrame(splink_columns(rows)).astype(
        {"birth_year": "Int64", "lat": "Float64", "lon": "Float64"}
    )
    db_api = DuckDBAPI()
    records = db_api.register(frame, table_name="records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_py", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.ExactMatch("surname_py").configure(term_frequency_adjustments=True),
            cl.CustomComparison(
                [
                    cll.NullLevel("birth_year"),
                    cll.ExactMatchLevel("birth_year"),
                    cll.AbsoluteDifferenceLevel("birth_year", 1),
                    cll.AbsoluteDifferenceLevel("birth_year", 3),
                    cll.AbsoluteDifferenceLevel("birth_year", 6),
                    cll.ElseLevel(),
                ],
                output_column_name="birth_year",
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("phone"),
            cl.DistanceInKMAtThresholds("lat", "lon", [0.5, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_py", "birth_year"),
            block_on("name_py"),
            block_on("surname_py", "birth_year"),
            block_on("id_number"),
            block_on("phone"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(records, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("name_py", "birth_year", "sex")], recall=0.3
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_py"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname_py", "birth_year")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    by_threshold: dict[float, list[int]] = {}
    for threshold in SPLINK_THRESHOLDS:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        ).as_duckdbpyrelation()
        ids = dict(clusters.select("unique_id, cluster_id").fetchall())
        labels: dict[object, int] = {}
        by_threshold[threshold] = [labels.setdefault(ids[i], len(labels)) for i in range(len(rows))]
    return by_threshold[SPLINK_THRESHOLDS[0]], by_threshold


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _run_child(fn: Callable[[Rows], Any], rows: Rows, conn: Any) -> None:
    import django

    django.setup()
    base = _rss_kib("VmRSS")
    start = time.perf_counter()
    try:
        result = fn(rows)
    except Exception as exc:  # noqa: BLE001 - reported, the other methods still run
        conn.send(("error", f"{type(exc).__name__}: {exc}", 0.0, 0))
        return
    wall = time.perf_counter() - start
    conn.send(("ok", result, wall, _rss_kib("VmHWM") - base))


def measure(label: str, fn: Callable[[Rows], Any], rows: Rows, truth: list[int]) -> None:
    """Run `fn` in a forked process: wall time, and its peak resident memory over the start."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_run_child, args=(fn, rows, child))
    process.start()
    status, result, wall, peak_kib = parent.recv()
    process.join()
    if status == "error":
        print(f"  {label:<8} failed: {result}")
        return
    if result is None:
        print(
            f"  {label:<8} not run: splink/duckdb/pandas not installed "
            "(pip install --require-hashes -r requirements-bench.lock, or `make bench`)"
        )
        return
    note = ""
    if isinstance(result, tuple):  # Splink: clusters at each threshold, show the best
        scores = {t: pairwise(p, truth) for t, p in result[1].items()}
        best = max(scores, key=lambda t: scores[t][2])
        p, r, f = scores[best]
        note = f"  (clusters at match probability ≥ {best}, best of {list(result[1])})"
    else:
        p, r, f = pairwise(result, truth)
    print(
        f"  {label:<8} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
        f"wall {wall:7.2f} s  peak {peak_kib / 1024:7.1f} MiB{note}"
    )


def _ensure_database(url: str) -> None:
    """Create the benchmark's own database when it is missing."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _described(rec: Any) -> Any:
    from warmwinter.people import linkage

    return linkage.Described(
        name=rec.name,
        sex=rec.sex,
        birth_year=rec.birth_year,
        id_number=rec.id_number,
        phone=rec.phone,
        lat=rec.lat,
        lng=rec.lon,
    )


def rank_in_postgres(n_people: int, seed: int, samples: int = 300) -> None:
    """Fill the registry to `n_people` files (with their name keys) and time
    `linkage.candidates_for` for records of the same generator (half of them of people already
    on file), as the encounter form calls it."""
    from django.core.management import call_command
    from django.db import DatabaseError, connection, transaction

    try:
        call_command("migrate", verbosity=0)
    except DatabaseError as exc:  # another app's migration rewritten in place, say
        print(f"    (migrate failed: {exc}; measuring with the tables as they are)")
    from warmwinter.people import batch, idnumbers, linkage, names
    from warmwinter.people.models import Person, PersonNameKey
    from warmwinter.places.models import OrgLevel, OrgUnit
    from warmwinter.places.reference import load_reference_data

    if not OrgUnit.objects.filter(level=OrgLevel.DISTRICT).exists():
        load_reference_data()
    district = OrgUnit.objects.filter(level=OrgLevel.DISTRICT).first()
    have = Person.objects.count()
    rows, _ = generate(max(n_people // 2, 1), seed + 1)
    records = [batch.record_from_row(r, year=2025) for r in rows]
    if have < n_people:
        started = time.perf_counter()
        i = have
        while i < n_people:
            chunk = []
            for rec in (records[k % len(records)] for k in range(i, min(i + 20000, n_people))):
                chunk.append(
                    Person(
                        org_unit=district,
                        name=rec.name,
                        sex=rec.sex or "unknown",
                        birth_year=rec.birth_year,
                        id_number=rec.id_number,
                        id_number_digest=idnumbers.digest(rec.id_number) if rec.id_number else "",
                        phone=rec.phone,
                    )
                )
            with transaction.atomic():
                created = Person.objects.bulk_create(chunk)
                PersonNameKey.objects.bulk_create(
                    [
                        PersonNameKey(person=p, key=k, birth_year=p.birth_year)
                        for p in created
                        for k in names.stored_keys(p.name, [])
                    ],
                    batch_size=20000,
                )
            i += len(chunk)
            print(f"    … {i:,} files ({time.perf_counter() - started:.0f} s)", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(seed)
    queries = [records[k] for k in rng.sample(range(len(records)), min(samples, len(records)))]
    pool = Person.objects.all()
    for rec in queries[:20]:  # warm the caches (pypinyin, the planner, the buffer cache)
        linkage.candidates_for(_described(rec), among=pool)
    timings = []
    for rec in queries:
        t = time.perf_counter()
        linkage.candidates_for(_described(rec), among=pool)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"  PostgreSQL, {Person.objects.count():,} people: rank one record p50 "
        f"{statistics.median(timings):.1f} ms  p99 {p99:.1f} ms  max {timings[-1]:.1f} ms  "
        f"({len(timings)} queries, load average {os.getloadavg()[0]:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--persons", type=int, default=0, help="one size only (default: ≈10 k and ≈100 k records)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="also ≈1 M records (and 1 M in --pg)")
    parser.add_argument(
        "--pg", action="store_true", help="also time one-record ranking in PostgreSQL"
    )
    parser.add_argument("--registry", type=int, default=0, help="people in the PostgreSQL registry")
    parser.add_argument("--no-batch", action="store_true", help="only the PostgreSQL ranking")
    parser.add_argument(
        "--methods", default="ours,splink,exact", help="comma-separated subset of the methods"
    )
    args = parser.parse_args()
    if args.pg:
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ww_people_bench"
        )
        _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    sizes = [args.persons] if args.persons else [4_650, 46_500]  # ≈ 10 k and ≈ 100 k records
    if args.big:
        sizes.append(465_000)
    methods = {"ours": ours, "splink": splink, "exact": exact}
    for n in [] if args.no_batch else sizes:
        rows, truth = generate(n, args.seed)
        print(f"{n:,} people, {len(rows):,} records (seed {args.seed}):", flush=True)
        for label in args.methods.split(","):
            measure(label, methods[label], rows, truth)
            sys.stdout.flush()
    if args.pg:
        for n in [args.registry or 100_000] + ([1_000_000] if args.big else []):
            rank_in_postgres(n, args.seed)


if __name__ == "__main__":
    main()
