from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from warmwinter.core.seeding import DemoContext, demo_modules


class Command(BaseCommand):
    help = "生成可复现的演示数据（寒冬送温暖行动的一周）。Build a deterministic demo week."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=7, help="随机种子（默认 7）")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="额外生成的人员规模，用于性能测试（默认 0：只生成演示规模）",
        )

    def handle(self, *args: Any, seed: int, scale: int, **options: Any) -> None:
        if scale < 0:
            self.stderr.write("--scale 不能为负数")
            raise SystemExit(2)
        # The week ends at the start of the current hour so reruns within an hour agree.
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        ctx = DemoContext(seed=seed, scale=scale, now=now, password=settings.DEMO_PASSWORD)
        with transaction.atomic():
            for module in demo_modules():
                module.seed(ctx)
        for line in ctx.summary:
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(
            f"演示账号（密码均为 {ctx.password!r}，可用环境变量 DEMO_PASSWORD 修改）："
        )
        for username, role, unit in ctx.accounts:
            self.stdout.write(f"  {username:<20} {role}　{unit}")
