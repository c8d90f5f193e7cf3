"""Reading rendered HTML the way a browser would decide what runs: scripts, handlers, javascript: URLs."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Script types a browser does not execute (data blocks such as json_script).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


@dataclass
class Findings:
    inline_scripts: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    script_urls: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def live_code(self) -> list[str]:
        return self.inline_scripts + self.handlers + self.script_urls


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Findings()
        self._in_script: str | None = None
        self._script_body: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.found.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and "".join(value.split()).lower().startswith(("javascript:", "vbscript:")):
                self.found.script_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            kind = values.get("type", "").strip().lower()
            executable = kind not in DATA_SCRIPT_TYPES
            self._in_script = "src" if "src" in values else ("inline" if executable else None)
            self._script_body = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            body = "".join(self._script_body).strip()
            if self._in_script == "inline" or (self._in_script == "src" and body):
                self.found.inline_scripts.append(body[:80] or "<script> without src")
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._script_body.append(data)
        else:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.found.text = "".join(self._text)


def inspect(html: str | bytes) -> Findings:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    reader.close()
    return reader.found
