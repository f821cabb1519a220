"""`manage.py review_supplies [--district 310101]`: compare stock with the reserve targets of
the current response level and raise shortfall and near-expiry alerts (run it from cron, or
enqueue `warmwinter.supplies.tasks.review_supply_reserves`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warmwinter.places.selectors import district_by_code
from warmwinter.supplies import alerts


class Command(BaseCommand):
    help = "检查各区物资储备与临期批次，生成提醒"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="", help="只检查这个区（区代码）")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["district"]
        if code:
            district = district_by_code(code)
            if district is None:
                raise CommandError(f"没有代码为 {code} 的区")
            count = len(alerts.review_reserves(district))
        else:
            count = alerts.review_all()
        self.stdout.write(f"新提醒 {count} 条")
