"""A manager rehearsing a review against a persona of the rep (issue 17, section 5)."""
