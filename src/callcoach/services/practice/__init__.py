"""Practice: scenarios cut from scored moments, sessions with the prospect, scoring, the coach."""
