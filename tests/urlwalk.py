"""Every URL pattern of the project, found through the resolver, for access tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "practice:client-detail"
    pattern: str

    def sample_path(self, code: uuid.UUID | None = None) -> str:
        """A concrete path for the pattern, with placeholder values for its parts."""
        path = self.pattern
        code = code or uuid.uuid4()
        path = re.sub(r"<uuid:\w+>", str(code), path)
        path = re.sub(r"<(?:str|slug|path):\w+>", "placeholder", path)
        path = re.sub(r"<int:\w+>", "1", path)
        # allauth's regex patterns: fill each group with something that matches it.
        path = re.sub(r"\(\?P<uidb36>[^)]*\)", "1", path)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "placeholder", path)
        path = path.replace("^", "").replace("$", "")
        return "/" + path


def routes() -> Iterator[Route]:
    yield from _walk(get_resolver(), "", "")


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name or ''}", prefix + str(entry.pattern))
