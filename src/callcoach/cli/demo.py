"""Commands registered by this module: see its functions."""
