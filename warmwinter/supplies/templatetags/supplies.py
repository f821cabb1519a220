from decimal import Decimal

from django import template

from warmwinter.supplies.rules import fmt_quantity

register = template.Library()


@register.filter
def qty(value: Decimal | None) -> str:
    """{{ balance|qty }} → 300, 2.5."""
    return "" if value is None else fmt_quantity(Decimal(value))
