"""python manage.py link_records --input records.csv --output clusters.csv"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warmwinter.core import clock
from warmwinter.people import batch


class Command(BaseCommand):
    help = "批量识别同一人：读入记录 CSV，输出 record_id,person_id（不需要数据库）"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="UTF-8 CSV，表头见 batch.HEADER")
        parser.add_argument("--output", required=True, help="输出 CSV：record_id,person_id")
        parser.add_argument(
            "--threshold",
            type=float,
            default=batch.THRESHOLD,
            help="判为同一人的最低匹配概率（0–1，默认 %(default)s）",
        )

    def handle(self, *args: Any, input: str, output: str, threshold: float, **options: Any) -> None:
        if not 0 < threshold < 1:
            raise CommandError("--threshold 应在 0 和 1 之间（判为同一人的最低匹配概率）")
        source = Path(input)
        if not source.is_file():
            raise CommandError(f"找不到输入文件 {source}")
        try:
            with source.open(encoding="utf-8-sig", newline="") as stream:
                records = list(batch.read_records(stream, year=clock.local_date().year))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {source}：{exc}") from exc
        clusters = batch.cluster(records, threshold=threshold)
        with Path(output).open("w", encoding="utf-8", newline="") as stream:
            batch.write_clusters(stream, records, clusters)
        self.stdout.write(f"{len(records)} 条记录 → {len(set(clusters))} 人")
