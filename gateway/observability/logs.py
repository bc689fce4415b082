"""Logging for operators: JSON lines (or text for people), levels that keep
third-party internals quiet, and secrets redacted from every line written."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from gateway.config import Settings

OWN_LOGGERS = ("gateway", "resolvers", "schema")

# A record's own attributes, not fields a call added; uvicorn adds a coloured
# copy of its message for terminals.
NOT_FIELDS = {*RESERVED_ATTRS, "taskName", "color_message"}

# What a line may hold that nobody should read there, whatever logged it.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Credentials after an authentication scheme, as an Authorization header has them.
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[\w.~+/=-]{8,}"), r"\1\2[redacted]"),
    (
        re.compile(r'(?i)\b((?:authorization|cookie)"?\s*[:=]\s*"?)[^\s",;}]+'),
        r"\1[redacted]",
    ),
    (re.compile(r"\b(?:sk|rk|pk)_(?:test|live)_\w+"), "[stripe key]"),
    (re.compile(r"\bwhsec_\w+"), "[webhook secret]"),
    (re.compile(r"\bsgw_[\w-]+"), "[api token]"),
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), "[jwt]"),
]
# Also as a URL encodes it, since query strings reach some lines.
_EMAIL = re.compile(r"[\w.%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Redactor:
    """Removes keys, tokens, Authorization values and e-mail addresses from text.

    Besides the patterns, it removes the configured secrets themselves (such as
    the admin token), which have no recognisable shape.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # A secret may reach a JSON line escaped; look for both spellings.
        spellings = {
            spelling
            for secret in secrets
            for spelling in (secret, json.dumps(secret)[1:-1])
            if len(secret) >= 8
        }
        # The longest first, so no secret is half-replaced by a shorter one.
        self.secrets = sorted(spellings, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        if "@" in text or "%40" in text:
            text = _EMAIL.sub("[email]", text)
        return text


class RedactingFormatter(logging.Formatter):
    """Formats with another formatter, then redacts the whole line: message,
    arguments, extra fields and tracebacks alike."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self.inner = inner
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.inner.format(record))


class TextFormatter(logging.Formatter):
    """A line for people: level, logger, message, then extra fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{key}={value}" for key, value in extra_fields(record).items()]
        return " ".join([line, *extras])


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a call passed as ``extra``."""
    return {k: v for k, v in vars(record).items() if k not in NOT_FIELDS}


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        reserved_attrs=sorted(NOT_FIELDS),
        timestamp="time",
    )


def configure_logging(settings: Settings) -> None:
    """Send every logger, uvicorn's included, through one redacting handler."""
    logging.config.dictConfig(logging_config(settings))


def logging_config(settings: Settings) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` schema for ``settings``."""
    level = logging.getLevelName(settings.gateway_log_level)
    as_json = settings.gateway_log_format == "json"
    inner = json_formatter() if as_json else TextFormatter()
    formatter = RedactingFormatter(inner, Redactor(configured_secrets(settings)))
    # Other libraries' debug lines are their internals (SQL, bodies): our own
    # loggers follow the setting, the rest never go below INFO.
    others = max(level, logging.INFO)
    # The SDK logs each call's URL, list filters included, at INFO and bodies at
    # DEBUG: the gateway's own debug line per call says what is safe to say.
    stripe = max(level, logging.WARNING)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"redacting": {"()": lambda: formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "redacting",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": others, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": level} for name in OWN_LOGGERS},
            # uvicorn may have given its loggers handlers and levels (the embedded
            # sandbox's server does): take them back to the root's.
            **{
                name: {"level": "NOTSET", "handlers": [], "propagate": True}
                for name in ("uvicorn", "uvicorn.error")
            },
            # The gateway writes its own line per request: uvicorn's access lines
            # would only come from the embedded sandbox, one per Stripe call.
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            "stripe": {"level": stripe},
            "httpx": {"level": max(level, logging.WARNING)},
            "httpcore": {"level": max(level, logging.WARNING)},
        },
    }


def configured_secrets(settings: Settings) -> list[str]:
    """The secret settings' values, each Fernet key of a list on its own."""
    values = [
        value.get_secret_value()
        for value in vars(settings).values()
        if isinstance(value, SecretStr)
    ]
    return [part.strip() for value in values for part in value.split(",")]
