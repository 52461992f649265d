"""trnn.model: tokenizer, data, PyTorch model and training, export, and the integer machine's
golden reference. Never imports amaranth."""
