"""Rescue stations: admission, zones and beds, daily care, services, discharge."""
