"""Practice personas that answer with what real people said (issue 17, offline default)."""
