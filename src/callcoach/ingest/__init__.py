"""Readers that turn outside formats into domain objects. One module per family of formats."""
