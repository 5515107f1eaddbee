"""The demo team generator: a realistic, deterministic sales org built from domain objects."""
