"""Text that either database can hold. PostgreSQL holds no NUL character, and UTF-8 (so
SQLite too) no lone surrogate; a model's JSON or a file's text can carry either."""

import re

NUL = "\x00"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a str holds a valid pair as one character


def storable(text: str) -> str:
    """The text without NUL, and with U+FFFD in place of each lone surrogate."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace(NUL, ""))
