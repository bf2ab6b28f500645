"""Read typed fields from one TOML table, raising Problem with a plain message.

The one reader for our TOML files: the knowledge base and the questionnaire data
files. Their loaders catch Problem and add the file and entry name, so the messages
here only say what is wrong with the field. A problem with one field also carries
its name and the problem apart, for a loader that writes them as `field: problem`.
"""

from __future__ import annotations


class Problem(ValueError):
    """A problem in one entry; the loader adds the file and entry name."""

    def __init__(self, message: str, *, field: str = "", problem: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem or message

    @classmethod
    def in_field(cls, name: str, problem: str) -> Problem:
        return cls(f"`{name}` {problem}", field=name, problem=problem)


def check_fields(entry: dict, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise Problem(
            f"unknown field {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )


def text(
    entry: dict, name: str, required: bool = True, max_length: int | None = None
) -> str:
    value = entry.get(name)
    if value is None:
        if required:
            raise Problem.in_field(name, "is required")
        return ""
    if not isinstance(value, str):
        raise Problem.in_field(name, "must be text")
    value = value.strip()
    if required and not value:
        raise Problem.in_field(name, "is required")
    if max_length is not None and len(value) > max_length:
        raise Problem.in_field(
            name, f"is {len(value)} characters; at most {max_length}"
        )
    return value


def flag(entry: dict, name: str, default: bool = False) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise Problem.in_field(name, "must be true or false")
    return value


def tables(entry: dict, name: str) -> list[dict]:
    """A required array of tables, [[name]]."""
    value = entry.get(name)
    if not isinstance(value, list) or not value:
        raise Problem.in_field(name, f"at least one [[{name}]] is required")
    if not all(isinstance(item, dict) for item in value):
        raise Problem.in_field(name, "each entry must be a table")
    return value


def text_list(entry: dict, name: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise Problem.in_field(name, "must be a list of non-empty text")
    if required and not value:
        raise Problem.in_field(name, "must list at least one item")
    return tuple(v.strip() for v in value)


def number(entry: dict, name: str, required: bool = False) -> float | None:
    value = entry.get(name)
    if value is None:
        if required:
            raise Problem.in_field(name, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Problem.in_field(name, "must be a number, zero or more")
    return float(value)


def choice(entry: dict, name: str, choices: tuple[str, ...], default: str = "") -> str:
    value = entry.get(name, default)
    if value not in choices:
        raise Problem.in_field(
            name, f"must be one of {', '.join(choices)} (got {value!r})"
        )
    return value


def lower_name(entry: dict) -> str:
    name = text(entry, "name")
    if name != name.lower():
        raise Problem.in_field(
            "name", "must be lower case (it is shown as the canonical name)"
        )
    return name
