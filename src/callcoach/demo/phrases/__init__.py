"""Phrase banks, one module per behaviour: what reps and prospects say, level by level."""
