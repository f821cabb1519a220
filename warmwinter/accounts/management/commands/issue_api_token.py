from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from warmwinter.accounts.models import ApiToken, User
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record


class Command(BaseCommand):
    help = "签发 API 令牌（令牌只显示一次）。Issue an API token for a user; printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="用途，例如 一网统管对接")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为 {username!r} 的有效用户")
        with transaction.atomic():
            token, raw = ApiToken.issue(user=user, name=name)
            audit_record(
                actor=None,
                actor_label="cli",
                action=AuditAction.TOKEN_ISSUED,
                target=token,
                detail={"user": username, "name": name},
                via="cli",
            )
        self.stdout.write(raw)
