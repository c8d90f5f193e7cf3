"""Read a line of the dialog as the browser gets it: the server's rendering of templates/tickets/_message.html."""

from html.parser import HTMLParser

PARTS = ("msg-head", "msg-body", "msg-system", "file-name")


class _Line(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.classes: list[str] = []
        self.attrs: dict[str, str] = {}
        self.parts: dict[str, list[str]] = {}
        self.links: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.attrs:
            self.attrs = {k: v or "" for k, v in attrs.items()}
            self.classes = (attrs.get("class") or "").split()
        if tag == "br":
            for name in set(self._open):
                self.parts.setdefault(name, []).append("\n")
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        names = [c for c in (attrs.get("class") or "").split() if c in PARTS]
        self._open.append(names[0] if names else "")

    def handle_endtag(self, tag):
        if tag != "br" and self._open:
            self._open.pop()

    def handle_data(self, data):
        for name in set(self._open):
            if name:
                self.parts.setdefault(name, []).append(data)


def parse_line(html: str) -> _Line:
    line = _Line()
    line.feed(html)
    return line


def line_text(message: dict, part: str = "msg-body") -> str:
    """The text of one part of the line (msg-body, msg-head, msg-system, file-name), as shown."""
    return "".join(parse_line(message["html"]).parts.get(part, [])).strip()


def line_kind(message: dict) -> tuple[str, str]:
    """(author kind, message kind) from the line's classes: msg-<author> msg-kind-<kind>."""
    classes = parse_line(message["html"]).classes
    author = next(c.removeprefix("msg-") for c in classes if c.startswith("msg-") and not c.startswith("msg-kind-"))
    kind = next(c.removeprefix("msg-kind-") for c in classes if c.startswith("msg-kind-"))
    return author, kind
