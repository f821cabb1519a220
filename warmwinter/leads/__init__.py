"""Leads (求助线索): intake from every channel, triage, duplicates, lifecycle, time limits."""
