"""trnn: a language model made of logic gates."""

__version__ = "0.1.0"
