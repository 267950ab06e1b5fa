"""The pictures briefing.html inlines, kept in the cache by content.

Scaling a 200-dpi PNG to the page's width and cutting it to 256 colours takes 0.2–0.3 s per
figure — 6–9 s for a pack of 30 figures, paid at the very end of a run, when the briefing is
the only notebook left. So the picture is kept under ``<cache>/briefing/images/`` by a digest
of the PNG's bytes (:func:`cached`; never stale: a changed figure is another key), and
``tifa run``'s figure workers make it as soon as a figure's SVG and PDF are drawn
(:func:`warm`), while other notebooks still run; the briefing then only reads it. A second run
with unchanged figures (JupyterLab, ``make run`` again) finds every picture made.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

#: Width in pixels of the images inlined in briefing.html: 1.5 times the width the page shows
#: them at (:data:`tifa.draw.style.BRIEFING_WIDTH_PX`), sharp on high-density screens (the PNG
#: files keep their resolution).
HTML_IMAGE_PX = 1440

#: Version of what :func:`cached` keeps; raise it when the images or the font rule change.
PACK_CACHE_VERSION = 1


def cached(kind: str, key: bytes, make):
    """``make()``'s JSON-able result, kept under ``<cache>/briefing/<kind>/`` by a digest of
    ``key`` (the content it is made from: the PNG's bytes, the font file and the characters).

    A falsy result is not kept (made again next time); a cache that cannot be read or
    written is skipped.
    """
    from tifa import paths
    from tifa.report import export

    digest = hashlib.sha256(key + f"|{kind}|{PACK_CACHE_VERSION}".encode()).hexdigest()
    path = paths.cache_dir() / "briefing" / kind / f"{digest}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = make()
    if value:
        try:
            export.write_text(json.dumps(value), path)
        except OSError:
            pass
    return value


def image_data(path, max_px: int = HTML_IMAGE_PX) -> tuple[str, int, int]:
    """Base64 PNG of a figure for the HTML: at most ``max_px`` wide, 256 colours.

    Charts have few colours, so a palette image looks the same at a quarter of the size; the
    files in ``figures/`` are untouched. Kept in the cache by the PNG's content.

    Returns
    -------
    (str, int, int)
        The base64 text, width and height.
    """
    data = Path(path).read_bytes()
    value = cached("images", data + f"|{max_px}".encode(), lambda: scaled_image(data, max_px))
    return value[0], int(value[1]), int(value[2])


def warm(png, max_px: int = HTML_IMAGE_PX) -> bool:
    """Make the briefing's picture of a PNG ahead of time (a figure worker does); whether it
    worked. Never raises: the briefing makes what is missing."""
    try:
        image_data(png, max_px)
    except Exception:  # noqa: BLE001 - only a head start
        return False
    return True


def scaled_image(data: bytes, max_px: int) -> tuple[str, int, int]:
    """The picture of :func:`image_data`, made from the PNG's bytes."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if im.mode in ("RGBA", "LA", "P"):
            rgba = im.convert("RGBA")
            im = Image.new("RGB", rgba.size, "white")
            im.paste(rgba, mask=rgba.getchannel("A"))
        else:
            im = im.convert("RGB")
        factor = im.width // max_px
        if factor > 1:  # a box filter by a whole factor first: fast, and as good as any
            im = im.reduce(factor)
        if im.width > max_px:
            height = max(1, round(im.height * max_px / im.width))
            im = im.resize((max_px, height), Image.LANCZOS)
        im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        buf = io.BytesIO()
        im.save(buf, format="PNG", compress_level=6)  # optimize=True: 3x the time for 10 %
        return base64.b64encode(buf.getvalue()).decode("ascii"), im.width, im.height
