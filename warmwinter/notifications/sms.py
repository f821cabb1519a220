"""The SMS seam. Production plugs in the government SMS gateway by naming a class in
NOTIFY_SMS_BACKEND; by default urgent messages are only logged."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s…%s: %s", phone[:3], phone[-2:], text)


def sms_backend() -> SmsBackend:
    path = settings.NOTIFY_SMS_BACKEND or "warmwinter.notifications.sms.LoggingSmsBackend"
    backend: SmsBackend = import_string(path)()
    return backend
