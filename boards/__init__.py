"""trnn.boards (see README)."""
