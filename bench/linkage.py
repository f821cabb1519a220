"""Record linkage of person records: quality and speed on a labelled synthetic set.

The generator makes N people and 1–4 records each (street encounters, admissions, family
inquiries) with the difficulties street records really have: homophone surnames (张/章),
surnames read their own way (单 shàn, 曾 zēng), traditional characters, similar-looking
characters, nicknames (老王, 阿强), given names alone, pinyin typed for characters, ages off by a
few years, ID numbers missing for most, the same places night after night.

For each method it prints pairwise precision, recall, F1, wall time and peak traced memory:
  - ours: `warmwinter.people.batch` (the same rules as the live candidates service);
  - exact: one person per (exact name, birth year) or per ID number;
  - Splink is not a dependency of this project, so the comparison with it is not run here.
With --pg it also loads N people into PostgreSQL and prints p50/p99 of ranking candidates for one
new record against the whole registry (`linkage.candidates_for`).

Run: .venv/bin/python bench/linkage.py --persons 10000 --seed 7 [--pg] [--big]
(--big adds a 1 M-people run; --pg needs PostgreSQL at BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ww_people_bench, which it creates and fills.)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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
SHANGHAI = ZoneInfo("Asia/Shanghai")


def generate(n_persons: int, seed: int) -> tuple[list[dict[str, str]], list[int]]:
    from faker import Faker

    from warmwinter.people import idnumbers, names

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rows: list[dict[str, str]] = []
    truth: list[int] = []
    start = datetime(2025, 12, 1, tzinfo=SHANGHAI)
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


def pairwise(pred: list[int], truth: list[int]) -> tuple[float, float, float]:
    def pairs(counter: Counter[object]) -> int:
        return sum(c * (c - 1) // 2 for c in counter.values())

    both = pairs(Counter(zip(pred, truth, strict=True)))
    predicted, actual = pairs(Counter(pred)), pairs(Counter(truth))
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ours(rows: list[dict[str, str]]) -> list[int]:
    from warmwinter.people import batch

    records = [batch.record_from_row(r, year=2025) for r in rows]
    return batch.cluster(records)


def exact(rows: list[dict[str, str]]) -> list[int]:
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


def measure(
    label: str,
    fn: Callable[[list[dict[str, str]]], list[int] | None],
    rows: list[dict[str, str]],
    truth: list[int],
) -> None:
    start = time.perf_counter()
    pred = fn(rows)
    wall = time.perf_counter() - start
    if pred is None:
        print(f"  {label:<8} skipped: not installed (not a dependency of this project)")
        return
    tracemalloc.start()
    fn(rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    p, r, f = pairwise(pred, truth)
    print(
        f"  {label:<8} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
        f"wall {wall:7.2f} s  peak {peak / 2**20:7.1f} MiB"
    )


def rank_in_postgres(n_people: int, seed: int, samples: int = 200) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    from warmwinter.people import linkage
    from warmwinter.people.models import Person, PersonNameKey
    from warmwinter.places.models import OrgLevel, OrgUnit
    from warmwinter.places.reference import load_reference_data

    load_reference_data()
    district = OrgUnit.objects.filter(level=OrgLevel.DISTRICT).first()
    have = Person.objects.count()
    rows, _ = generate(max(n_people // 2, 1), seed + 1)
    from warmwinter.people import batch, idnumbers, names

    if have < n_people:
        records = [batch.record_from_row(r, year=2025) for r in rows]
        i = have
        chunk: list[Person] = []
        while i < n_people:
            rec = records[i % len(records)]
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
            i += 1
            if len(chunk) == 20000 or i == n_people:
                created = Person.objects.bulk_create(chunk)
                PersonNameKey.objects.bulk_create(
                    [
                        PersonNameKey(person=p, key=k)
                        for p in created
                        for k in names.stored_keys(p.name, [])
                    ],
                    batch_size=20000,
                )
                chunk = []
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rng = random.Random(seed)
    queries = [
        batch.record_from_row(r, year=2025) for r in rng.sample(rows, min(samples, len(rows)))
    ]
    timings = []
    pool = Person.objects.all()
    for rec in queries:
        t = time.perf_counter()
        linkage.candidates_for(rec.described(), among=pool)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"  PostgreSQL, {Person.objects.count():,} people: rank one record p50 "
        f"{statistics.median(timings):.1f} ms  p99 {p99:.1f} ms  ({len(timings)} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--persons", type=int, default=0, help="one size only (default: 10 k and 100 k records)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="also 1 M")
    parser.add_argument(
        "--pg", action="store_true", help="also time one-record ranking in PostgreSQL"
    )
    parser.add_argument("--registry", type=int, default=0, help="people in the PostgreSQL registry")
    parser.add_argument("--no-batch", action="store_true", help="only the PostgreSQL ranking")
    args = parser.parse_args()
    if args.pg:
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ww_people_bench"
        )
    import django

    django.setup()
    sizes = [args.persons] if args.persons else [4_000, 40_000]  # ≈ 10 k and 100 k records
    if args.big:
        sizes.append(400_000)
    for n in [] if args.no_batch else sizes:
        rows, truth = generate(n, args.seed)
        print(f"{n:,} people, {len(rows):,} records (seed {args.seed}):")
        for label, fn in (("ours", ours), ("exact", exact)):
            measure(label, fn, rows, truth)
        print("  splink   not run: not a dependency of this project")
    if args.pg:
        for n in [args.registry or 100_000] + ([1_000_000] if args.big else []):
            rank_in_postgres(n, args.seed)


if __name__ == "__main__":
    main()
