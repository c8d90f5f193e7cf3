"""What a person reads on a page: its text and the attributes that are shown or spoken."""

import re
from html.parser import HTMLParser

#: Attributes a person sees (tooltips, placeholders, button captions) or hears (screen readers).
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}
HIDDEN_ELEMENTS = {"script", "style", "template"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.other_language = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        # An option named in its own language (the language switch: "Português (Brasil)") is not this page's text.
        if tag == "option" and attributes.get("lang"):
            self.other_language += 1
            return
        for name, value in attributes.items():
            if value and (name in SHOWN_ATTRIBUTES or name.startswith("data-msg-")):
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1
        if tag == "option" and self.other_language:
            self.other_language -= 1

    def handle_data(self, data):
        if not self.hidden and not self.other_language and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def words_found(text: str, words: list[str], *, case_sensitive: bool = True) -> list[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return [word for word in words if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags)]
