"""Draws static/images/share.png, the picture a link to the catalogue shows when pasted into
Teams, Slack or LinkedIn (the Open Graph and Twitter card image, templates/base.html).

The favicon's nested rings (a network's core, learning and interest rings) on the site's blue,
at the 1200 by 630 pixels the link previews ask for. Written with the standard library alone,
so it needs nothing installed: `python tools/share_image.py`.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT = 1200, 630
BLUE = (0x1D, 0x70, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)
CENTRE = (WIDTH / 2, HEIGHT / 2)
# (inner radius, outer radius) of each white ring, and the solid centre, as in the favicon.
RINGS = [(209.0, 256.0), (122.0, 169.0), (0.0, 47.0)]
OUT = Path(__file__).resolve().parent.parent / "static" / "images" / "share.png"


def colour(x: float, y: float) -> tuple[int, int, int]:
    """The pixel's colour, its edge softened by how far into a ring it lies (one pixel)."""
    distance = math.hypot(x - CENTRE[0], y - CENTRE[1])
    cover = 0.0
    for inner, outer in RINGS:
        cover = max(cover, min(1.0, distance - inner + 0.5, outer - distance + 0.5))
    cover = max(0.0, cover)
    red, green, blue = (round(b + (w - b) * cover) for b, w in zip(BLUE, WHITE, strict=True))
    return red, green, blue


def chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png() -> bytes:
    rows = bytearray()
    for y in range(HEIGHT):
        rows.append(0)  # no filter
        for x in range(WIDTH):
            rows.extend(colour(x + 0.5, y + 0.5))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.write_bytes(png())
    print(f"wrote {OUT}")
