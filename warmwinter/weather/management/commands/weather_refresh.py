"""`manage.py weather_refresh [--poll]`: expire warnings past their expiry and let levels follow;
with --poll, first read the configured feed (WEATHER_FEED_URL). Meant for cron every few minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from warmwinter.weather import services, tasks


class Command(BaseCommand):
    help = "处理过期预警并更新响应等级；--poll 同时读取预警订阅源"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--poll", action="store_true", help="先读取 WEATHER_FEED_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["poll"]:
            summary = tasks.poll_feed_now()
            self.stdout.write(
                f"订阅源：新入库 {summary.created}，重复 {summary.duplicates}，拒绝 {summary.rejected}"
            )
        events = services.weather_refresh()
        self.stdout.write(f"响应等级变更 {len(events)} 次")
