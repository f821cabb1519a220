"""Weather warnings (CAP 1.2 and signal text), response levels and what they switch on."""
