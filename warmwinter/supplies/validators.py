"""The quantity a user types for a receipt, issue, transfer or correction (the ledger stores it
signed), and a reserve target. Whether an item allows a fraction is the item's rule
(`services.checked_quantity`)."""

from __future__ import annotations

from decimal import Decimal

from warmwinter.core.validation import Above, AtMost, between

MAX_QUANTITY = Decimal(1_000_000)
QUANTITY = [Above(Decimal(0)), AtMost(MAX_QUANTITY)]
TARGET_QUANTITY = between(Decimal(0), MAX_QUANTITY)
