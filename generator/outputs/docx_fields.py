"""How a carta DOCX names where its texts come from: field bookmarks, custom properties."""

from __future__ import annotations

import hashlib
import re

# What the custom properties of a carta DOCX are called (File > Properties > Custom in Word).
PROP_LETTER = "carta-letter"
PROP_LOCALE = "carta-locale"
PROP_RECIPIENT = "carta-recipient"
PROP_GENERATOR = "carta-generator"

BOOKMARK_PREFIX = "carta_"
# Word refuses bookmark names longer than 40 characters; a longer field gets a hashed name.
BOOKMARK_MAX = 40


def bookmark_name(field_path: str) -> str:
    """A Word bookmark name for a field path: "body[3].grievances[2].text" ->
    "carta_body_3__grievances_2__text" (segments joined by "__", an index as "_n"); one over
    Word's 40 characters is "carta__" and a hash, found again through the letter's fields."""
    encoded = re.sub(r"\[(\d+)\]", r"_\1", field_path).replace(".", "__")
    name = BOOKMARK_PREFIX + encoded
    if len(name) <= BOOKMARK_MAX and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return name
    return BOOKMARK_PREFIX + "_" + hashlib.sha1(field_path.encode()).hexdigest()[:12]


def field_of_bookmark(name: str) -> str | None:
    """The field path a bookmark name stands for (None: not carta's, or a hashed name)."""
    # LibreOffice renames the bookmarks it copies while reading footnotes: "..._Copy_1".
    name = re.sub(r"_Copy_\d+$", "", name)
    if not name.startswith(BOOKMARK_PREFIX) or name.startswith(BOOKMARK_PREFIX + "_"):
        return None
    segments = []
    for segment in name[len(BOOKMARK_PREFIX):].split("__"):
        found = re.fullmatch(r"([a-z][a-z_]*?)(?:_(\d+))?", segment)
        if not found:
            return None
        segments.append(found.group(1) + (f"[{found.group(2)}]" if found.group(2) else ""))
    return ".".join(segments)
