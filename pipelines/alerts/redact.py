"""Keeping alert secrets out of logs.

Alert destinations are URLs that carry their secrets inside them: a mail password
(`mailtos://user:password@host`), a webhook's token in its path (`https://hooks.slack.com/
services/T000/B000/XXXX`, `msteams://token/...`) or query. apprise logs a URL it cannot parse
at ERROR, token included, so every record of apprise's logger passes through RedactingFilter,
which keeps each URL's scheme and host and replaces the rest, and our own messages never
name a URL at all.
"""

from __future__ import annotations

import logging
import re

_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]{1,30})://([^\s'\"<>]*)")


def redact_url(match: re.Match) -> str:
    scheme, rest = match.group(1), match.group(2)
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    after = rest[len(authority) :]
    userinfo, _, host = authority.rpartition("@")
    # a host without a dot is a token in schemes such as msteams:// or discord://
    shown = host if "." in host else "***"
    # user:password, and whatever follows the host (path, query) are secrets
    return f"{scheme}://{'***@' if userinfo else ''}{shown}{'/***' if after else ''}"


def redact(text: str) -> str:
    """The text with every URL's credentials, path and query replaced by ***."""
    return _URL.sub(redact_url, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: drop them, keep the text
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def guard_logger(name: str = "apprise") -> None:
    """Install the filter on a logger (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
