"""Text hygiene shared by every app: what counts as visible, and names made safe to show.

Unicode "format" characters (category Cf: zero-width space U+200B, ZWNJ/ZWJ, word joiner, BOM U+FEFF,
soft hyphen, the direction marks, embeddings, overrides U+202A-202E and isolates U+2066-2069) and control
characters (Cc) show nothing or change how the text around them reads. A name made of them looks blank,
and "ana\u202efdp.exe" reads as "anaexe.pdf". Names drop them (and collapse spaces); messages keep their
text as written (an emoji sequence needs its ZWJ) but one with nothing visible is empty.
"""

import unicodedata

#: Characters that draw nothing: spaces, separators, controls, format, unassigned, private use left out.
_INVISIBLE_CATEGORIES = ("Z", "Cc", "Cf", "Cn", "Cs")
#: Invisible characters outside those categories that fonts still draw as blank.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_visible(char: str) -> bool:
    return not unicodedata.category(char).startswith(_INVISIBLE_CATEGORIES) and char not in _BLANK_LOOKALIKES


def has_visible_text(text: str | None) -> bool:
    """False for "", spaces, or any mix of zero-width spaces, joiners, BOMs, direction marks and controls."""
    return any(is_visible(char) for char in text or "")


def name_clean(value: str | None) -> str:
    """A name as it will be shown: NFC, controls and format characters removed, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(value or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace() or category.startswith("Z"):
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    return " ".join("".join(kept).split())
