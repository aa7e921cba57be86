"""Hashiya core: storage, import/export and text logic. Never imports Qt."""

__version__ = "0.1.0"


def version_line() -> str:
    """What `hashiya --version` prints."""
    return f"hashiya {__version__}"
