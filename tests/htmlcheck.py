"""Checks on rendered HTML that the CSP would otherwise only catch in a browser."""

from html.parser import HTMLParser


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_inline_script = True
        if tag == "style":
            self.problems.append("a <style> element")
        if "style" in names:
            self.problems.append(f"a style= attribute on <{tag}>")
        handlers = sorted(n for n in names if n.startswith("on"))
        if handlers:
            self.problems.append(f"inline handler {handlers} on <{tag}>")

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"an inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def csp_problems(html: str) -> list[str]:
    """What in this page the Content Security Policy would block."""
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems
