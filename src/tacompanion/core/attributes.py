"""Participant attributes: typed values (text, integer, decimal, boolean,
date), as REFI-QDA variables carry them, and the pilot flag read from any
tool's spelling of it.

A value is stored as JSON in `participants.attributes`: text and dates as
strings (dates `YYYY-MM-DD`), integers and decimals as numbers, booleans as
true/false. An attribute's type is declared once for the study (the setting
`attribute_types`, name -> type); a value typed by the researcher is read as
that type, or, for a new attribute, as the type its spelling suggests.
No I/O here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

TYPES = ("text", "integer", "decimal", "boolean", "date")

# REFI-QDA typeOfVariable <-> ours
REFI_OF = {"text": "Text", "integer": "Integer", "decimal": "Float", "boolean": "Boolean", "date": "Date"}
FROM_REFI = {"text": "text", "integer": "integer", "float": "decimal", "boolean": "boolean",
             "date": "date", "datetime": "text"}  # a time of day would be lost as a date

_TRUE = ("true", "yes", "y", "1")
_FALSE = ("false", "no", "n", "0")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class AttributeValueError(ValueError):
    """A value that does not fit its attribute's type, phrased for the researcher."""


def check_type(kind: str) -> str:
    value = kind.strip().lower()
    aliases = {"float": "decimal", "number": "decimal", "int": "integer", "bool": "boolean", "string": "text"}
    value = aliases.get(value, value)
    if value not in TYPES:
        raise AttributeValueError(f"an attribute's type is one of {', '.join(TYPES)}, not {kind!r}")
    return value


def check_name(name: str) -> str:
    value = " ".join(name.split())
    if not value:
        raise AttributeValueError("an attribute needs a name, such as profession")
    if len(value) > 60:
        raise AttributeValueError(f"{value[:60]!r}...: an attribute's name is at most 60 characters")
    if value.casefold() == "pilot":
        raise AttributeValueError("pilot is not an attribute: mark a pilot with `participants pilot ID yes`")
    return value


def truth(value: object) -> bool | None:
    """A yes/no value however a tool spelt it (true/false, yes/no, 1/0, a
    boolean, a number); None when it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def guess_type(text: str) -> str:
    """The type a new attribute's first value suggests: 11 an integer, 2.5 a
    decimal, yes/true a boolean, 2026-03-01 a date, anything else text."""
    value = text.strip()
    if _INTEGER.match(value):
        return "integer"
    if _DECIMAL.match(value):
        return "decimal"
    if value.casefold() in ("true", "false", "yes", "no"):
        return "boolean"
    if _DATE.match(value) and _as_date(value) is not None:
        return "date"
    return "text"


def _as_date(value: str) -> str | None:
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            return None


def parse_value(kind: str, value: object, *, name: str = "the attribute") -> str | int | float | bool:
    """`value` (typed text, or a value read from a file) as a value of `kind`.
    Raises AttributeValueError saying what was expected."""
    if kind == "text":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
    if kind == "boolean":
        got = truth(value)
        if got is None:
            raise AttributeValueError(f"{name} is yes or no (true/false, 1/0), not {value!r}")
        return got
    if kind == "integer":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)  # 11.0 from a tool that writes every number as a float
        text = str(value).strip()
        if _INTEGER.match(text):
            return int(text)
        if _DECIMAL.match(text) and float(text).is_integer() and math.isfinite(float(text)):
            return int(float(text))
        raise AttributeValueError(f"{name} is a whole number, not {value!r}")
    if kind == "decimal":
        if isinstance(value, bool):
            raise AttributeValueError(f"{name} is a number, not {value!r}")
        if isinstance(value, (int, float)) and math.isfinite(value):
            return float(value)  # a decimal is a float, whole or not: 3 is 3.0
        text = str(value).strip()
        if text.count(",") == 1 and "." not in text:  # 2,5 as many locales write it
            text = text.replace(",", ".")
        if _DECIMAL.match(text) and math.isfinite(float(text)):
            return float(text)
        raise AttributeValueError(f"{name} is a number such as 2.5, not {value!r}")
    if kind == "date":
        got = _as_date(str(value).strip()) if not isinstance(value, bool) else None
        if got is None:
            raise AttributeValueError(f"{name} is a date such as 2026-03-01, not {value!r}")
        return got
    raise AttributeValueError(f"unknown attribute type {kind!r}")


def show_value(value: object) -> str:
    """A value as the screens and CSV show it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(value, "g") if abs(value) < 1e15 else str(value)
    return str(value)


def type_of_values(values: list) -> str:
    """The type that fits every value read for an attribute whose type is not
    declared (values kept as JSON from before types were declared)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "decimal"
    return "text"


def group_key(value: object) -> str:
    """The label of the group a value falls in, when rows are grouped by an
    attribute; a participant without the attribute is '(not set)'."""
    return "(not set)" if value is None or value == "" else show_value(value)
