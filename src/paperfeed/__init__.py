"""paperfeed: a self-hostable research-paper platform."""

__version__ = "0.1.0"
