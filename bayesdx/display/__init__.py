"""Display helpers shared by every result: the disclaimer, progress bars, and the renderer."""

from __future__ import annotations

from bayesdx.display._notice import (
    DISCLAIMER,
    stamp,
)
from bayesdx.display._progress import (
    Progress,
)

__all__ = [
    "DISCLAIMER",
    "Progress",
    "stamp",
]
