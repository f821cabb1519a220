"""`manage.py ingest_warning FILE|-`: ingest one warning (CAP XML or signal text) synchronously.

Prints one line; on any rejection prints one line to stderr and exits 2, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warmwinter.weather import services
from warmwinter.weather.parsing import MAX_BYTES, WarningRejectedError


class Command(BaseCommand):
    help = "录入一条气象预警（CAP 1.2 XML 或预警信号文本）；FILE 为 - 时从标准输入读取"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="消息文件路径，或 - 表示标准输入")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_BYTES + 1)
            else:
                with Path(name).open("rb") as f:
                    data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"无法读取 {name}：{exc.strerror}", returncode=2) from None
        try:
            result = services.warning_ingest(data=data, via="cli")
        except WarningRejectedError as exc:
            raise CommandError(exc.message, returncode=2) from None
        warning = result.warning
        if result.created:
            changes = "；".join(
                f"{e.district.name} {e.get_from_level_display()}→{e.get_to_level_display()}"
                for e in result.events
            )
            self.stdout.write(f"已入库 #{warning.pk} {warning}；{changes or '响应等级无变化'}")
        else:
            self.stdout.write(f"已收到过，未重复入库：#{warning.pk} {warning}")
