"""Read typed fields from one TOML entry, raising Problem with a plain message.

The loader catches Problem and adds the file and entry name, so the messages here
only say what is wrong with the field.
"""

from __future__ import annotations


class Problem(ValueError):
    """A problem in one entry; the loader adds the file and entry name."""


def check_fields(entry: dict, allowed: set[str]) -> None:
    for name in entry:
        if name not in allowed:
            raise Problem(f"unknown field `{name}`")


def text(entry: dict, name: str, required: bool = True) -> str:
    value = entry.get(name)
    if value is None:
        if required:
            raise Problem(f"`{name}` is required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Problem(f"`{name}` must be non-empty text")
    return value.strip()


def text_list(entry: dict, name: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise Problem(f"`{name}` must be a list of non-empty text")
    if required and not value:
        raise Problem(f"`{name}` must list at least one item")
    return tuple(v.strip() for v in value)


def number(entry: dict, name: str, required: bool = False) -> float | None:
    value = entry.get(name)
    if value is None:
        if required:
            raise Problem(f"`{name}` is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Problem(f"`{name}` must be a number, zero or more")
    return float(value)


def choice(entry: dict, name: str, choices: tuple[str, ...], default: str = "") -> str:
    value = entry.get(name, default)
    if value not in choices:
        raise Problem(f"`{name}` must be one of {', '.join(choices)} (got {value!r})")
    return value


def lower_name(entry: dict) -> str:
    name = text(entry, "name")
    if name != name.lower():
        raise Problem("`name` must be lower case (it is shown as the canonical name)")
    return name
