"""Relief supplies: catalogue, warehouses, the stock ledger, reserves."""
