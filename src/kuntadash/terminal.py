"""Text for a terminal: what the command line echoes, with control characters taken out.

File names, cell values and paths come from users' files and folders. Printed as they are, an
ANSI escape could recolour or clear the screen, retitle the window or hide text, a carriage
return could overwrite the start of a line with something else, and a bidirectional override
could show a name reversed. So every line the command prints goes through ``terminal_text``.
"""

from __future__ import annotations

import re
import sys

_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]                 # CSI: colours, cursor moves, clearing
    | \x9b[0-?]*[ -/]*[@-~]                   # the same, introduced by the C1 CSI character
    | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC, DCS, SOS, PM, APC strings
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # their C1 forms
    | \x1b[ -/]*[0-~]?                        # any other escape sequence (or a lone ESC)
    """,
    re.VERBOSE,
)
# C0 and C1 controls and DEL, and the bidirectional embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACING = re.compile("[\t\n\v\f\x85\u2028\u2029]")


def terminal_text(text: object) -> str:
    """``text`` as one line safe to print: escape sequences removed, tabs and line breaks made
    spaces (a name must not start a line of its own that looks like ours), other controls
    removed."""
    cleaned = _ESCAPES.sub("", str(text))
    cleaned = _SPACING.sub(" ", cleaned)
    return _CONTROLS.sub("", cleaned)


def echo(text: object, *, err: bool = False) -> None:
    """Print one line to stdout (or stderr), made safe with ``terminal_text``."""
    print(terminal_text(text), file=sys.stderr if err else sys.stdout)
