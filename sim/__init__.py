"""trnn.sim (see README)."""
