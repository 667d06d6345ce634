"""Text from files and flags, made safe to show in a terminal (SPEC §4.2, §4.3).

A label, a header or a flag value may hold control characters: terminal escape sequences
(ESC, CSI) that clear the screen or retitle the window, BEL, or bidirectional overrides that
show text reversed. `strip_controls` removes them; a tab or line break becomes a space, so a
message stays on one line. Standard library only.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def strip_controls(text: str) -> str:
    """`text` without control characters (tabs and line breaks become spaces)."""
    if not CONTROL_CHARACTERS.search(text):
        return text
    return CONTROL_CHARACTERS.sub("", text.translate(_SPACES))


# What `json.dumps(ensure_ascii=False)` leaves as it is among those (it escapes C0 itself).
_LEFT_BY_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_json_controls(text: str) -> str:
    """JSON text with DEL, C1 controls and bidirectional overrides written as `\\uXXXX`:
    the same data, safe on a terminal."""
    return _LEFT_BY_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
