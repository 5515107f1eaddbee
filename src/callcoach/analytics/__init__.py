"""Scorecards, priorities, sampling, agreement, outcomes, cycles, conversation signals. Pure functions."""
