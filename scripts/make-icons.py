"""Draw Hoshii's icons: a white heart (a wish) on a persimmon tile.

One drawing, three files: static/img/favicon.svg for browsers that take an
SVG icon, static/img/apple-touch-icon.png (180 px) for phones' home screens
and public/favicon.ico (16, 32 and 48 px) at /favicon.ico, where browsers and
feed readers look when a page names no icon. Run it again after changing
the drawing: .venv/bin/python scripts/make-icons.py
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ACCENT = "#c2410c"  # --accent in static/css/hoshii.css
WHITE = "#ffffff"
SIZE = 64  # the drawing's units
RADIUS = 14  # of the tile's corners
# The heart: two circles and the tangents from its tip to them.
LOBE_Y, LOBE_DX, LOBE_R, TIP_Y = 25.0, 10.0, 11.0, 52.0


def _heart_outline() -> list[tuple[float, float]]:
    """The polygon that joins the tip to the outer tangent points of the
    two lobes (and their centres, which the circles cover)."""
    cx, tip = SIZE / 2 + LOBE_DX, (SIZE / 2, TIP_Y)
    # Seen from the lobe's centre, the tangent point is acos(r / d) away
    # from the tip's direction, on the side away from the middle.
    towards_tip = math.atan2(tip[1] - LOBE_Y, tip[0] - cx)
    distance = math.hypot(tip[0] - cx, tip[1] - LOBE_Y)
    angle = towards_tip - math.acos(LOBE_R / distance)
    tx, ty = cx + LOBE_R * math.cos(angle), LOBE_Y + LOBE_R * math.sin(angle)
    mirror = SIZE - tx
    return [tip, (tx, ty), (cx, LOBE_Y), (SIZE - cx, LOBE_Y), (mirror, ty)]


def svg() -> str:
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in _heart_outline())
    left, right = SIZE / 2 - LOBE_DX, SIZE / 2 + LOBE_DX
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="{ACCENT}"/>'
        f'<g fill="{WHITE}"><circle cx="{left:g}" cy="{LOBE_Y:g}" r="{LOBE_R:g}"/>'
        f'<circle cx="{right:g}" cy="{LOBE_Y:g}" r="{LOBE_R:g}"/>'
        f'<polygon points="{points}"/></g></svg>\n'
    )


def png(pixels: int, *, rounded: bool = True) -> Image.Image:
    """The drawing at ``pixels`` square, drawn 8 times larger and scaled
    down so its edges are smooth. Home-screen icons are square: the phone
    rounds their corners itself."""
    scale = pixels * 8 / SIZE
    big = Image.new("RGBA", (pixels * 8, pixels * 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    extent = (0, 0, pixels * 8 - 1, pixels * 8 - 1)
    if rounded:
        draw.rounded_rectangle(extent, radius=RADIUS * scale, fill=ACCENT)
    else:
        draw.rectangle(extent, fill=ACCENT)
    for cx in (SIZE / 2 - LOBE_DX, SIZE / 2 + LOBE_DX):
        box = [(cx - LOBE_R) * scale, (LOBE_Y - LOBE_R) * scale]
        box += [(cx + LOBE_R) * scale, (LOBE_Y + LOBE_R) * scale]
        draw.ellipse(box, fill=WHITE)
    draw.polygon([(x * scale, y * scale) for x, y in _heart_outline()], fill=WHITE)
    return big.resize((pixels, pixels), Image.Resampling.LANCZOS)


def main() -> None:
    (ROOT / "static" / "img" / "favicon.svg").write_text(svg())
    png(180, rounded=False).convert("RGB").save(
        ROOT / "static" / "img" / "apple-touch-icon.png", optimize=True
    )
    png(48).save(ROOT / "public" / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
