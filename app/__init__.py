"""Hashiya core: storage, import/export and text logic. Never imports Qt."""

__version__ = "0.1.0"
