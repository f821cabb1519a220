"""Bounds of what station staff type, shared by more than one field: a temperature taken at
admission and at the daily health check."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from warmwinter.core.validation import between

TEMPERATURE = between(Decimal(30), Decimal(45), _("体温应在 30–45℃ 之间"))
