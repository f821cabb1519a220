"""Dispatch: teams on duty, suggestions, assignment, acceptance, the live board."""
