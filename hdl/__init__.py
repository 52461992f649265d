"""trnn.hdl (see README)."""
