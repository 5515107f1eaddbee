"""Scorers behind one small interface: embedded (offline) and LLM; evidence verification; batch runner."""
