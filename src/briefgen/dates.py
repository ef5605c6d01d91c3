"""Dates at day, month or year precision that keep their precision ('2013', '2013-01', '2013-01-17')."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
JSON_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to a year, a month or a day; orders by the start of its period."""

    year: int
    month: int = 0  # 0 = not known
    day: int = 0  # 0 = not known

    @property
    def precision(self) -> str:
        """'day', 'month' or 'year'."""
        return "day" if self.day else "month" if self.month else "year"

    @property
    def start(self) -> dt.date:
        """First day of the period."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def isoformat(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.isoformat()

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Accept 'YYYY', 'YYYY-MM', 'YYYY-MM-DD', a year as a number, or a date object."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise PydanticCustomError(
                "partial_date",
                "expected a date like 2013-01-17, 2013-01 or 2013 (got {got})",
                {"got": repr(value)},
            )
        m = _PATTERN.match(value.strip())
        if not m:
            guess = _guess(value)
            raise PydanticCustomError(
                "partial_date",
                "expected a date like 2013-01-17, 2013-01 or 2013 (got {got})"
                + (f"; did you mean {guess}?" if guess else ""),
                {"got": repr(value)},
            )
        year, month, day = (int(g) if g else 0 for g in m.groups())
        try:
            dt.date(year or 1, month or 1, day or 1)
            if year == 0:
                raise ValueError
        except ValueError:
            raise PydanticCustomError(
                "impossible_date", "no such date (got {got})", {"got": repr(value)}
            ) from None
        return cls(year, month, day)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda d: d.isoformat(), when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # A YAML date such as 2013-01-17 is a string to JSON Schema tools; a bare year is a number.
        return {
            "anyOf": [
                {"type": "string", "pattern": JSON_PATTERN},
                {"type": "integer", "minimum": 1, "maximum": 9999},
            ],
            "description": "ISO date at day, month or year precision: 2013-01-17, 2013-01 or 2013.",
        }


# Ways people write dates that are not ISO, English month names (what `check` can suggest for).
_FORMATS = (
    ("%b %Y", "month"),
    ("%B %Y", "month"),
    ("%d %b %Y", "day"),
    ("%d %B %Y", "day"),
    ("%b %d %Y", "day"),
    ("%B %d %Y", "day"),
    ("%Y/%m/%d", "day"),
    ("%Y/%m", "month"),
    ("%Y.%m.%d", "day"),
)


def _guess(text: str) -> str:
    """The ISO form of a date written another way ('Jan 2024' → '2024-01'), or ''."""
    cleaned = " ".join(text.replace(",", " ").replace("Sept", "Sep").split())
    for fmt, precision in _FORMATS:
        try:
            when = dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        return when.isoformat() if precision == "day" else when.isoformat()[:7]
    return ""
