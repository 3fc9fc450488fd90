"""Demo product photos, drawn with Pillow at seed time: no network, no files
in the repository. Each is an object of the product's kind (a kettle, a
book, a folded towel...) on a soft studio background, in colours taken from
its SKU, so every demo product looks different and none is a bare swatch."""

import colorsys
import hashlib
import math

from PIL import Image, ImageDraw, ImageFilter

SIZE = (800, 600)
# Drawn at the photo's size: its thumbnails, all smaller, smooth the edges.
SCALE = 1

# The first keyword found in a product's English name picks its drawing.
KINDS = (
    ("knife", "knife"), ("cutting board", "board"), ("plates", "plates"),
    ("mug", "mug"), ("bottle", "bottle"), ("notebook", "book"),
    ("pencil", "pen"), ("pen", "pen"), ("ink,", "bottle"), ("cartridge", "device"),
    ("printer", "device"), ("headphones", "headphones"), ("earbuds", "device"),
    ("speaker", "speaker"), ("power bank", "device"), ("lantern", "lamp"),
    ("light", "lamp"), ("candle", "lamp"), ("diffuser", "lamp"), ("stove", "pot"),
    ("kettle", "pot"), ("teapot", "pot"), ("donabe", "pot"), ("cooker", "pot"),
    ("tamagoyaki", "board"), ("blender", "bottle"), ("grinder", "bottle"),
    ("coffee set", "pot"), ("tea", "bag"), ("coffee", "bag"), ("matcha", "bag"),
    ("towel", "textile"), ("duvet", "textile"), ("pillowcase", "textile"),
    ("cloth", "textile"), ("noren", "textile"), ("tenugui", "textile"),
    ("jacket", "textile"), ("furoshiki", "textile"), ("cards", "cards"),
    ("tape", "cards"), ("origami", "cards"), ("book", "book"), ("guide", "book"),
    ("haiku", "book"), ("walks", "book"), ("recipes", "book"), ("calligraphy", "box"),
    ("cover", "book"), ("bath", "mug"),
)  # fmt: skip


def kind_of(name: str) -> str:
    lowered = name.lower()
    return next((kind for word, kind in KINDS if word in lowered), "box")


def _rgb(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255))


class _Canvas:
    def __init__(self, sku: str):
        digest = hashlib.sha256(sku.encode()).digest()
        self.hue = digest[0] / 255
        self.tilt = (digest[1] / 255 - 0.5) * 0.3
        self.grow = 0.9 + digest[2] / 255 * 0.2
        self.alt = digest[3] % 2
        width, height = SIZE[0] * SCALE, SIZE[1] * SCALE
        self.w, self.h = width, height
        self.image = Image.new("RGB", (width, height))
        self._background()
        self.draw = ImageDraw.Draw(self.image)
        self.main = _rgb(self.hue, 0.45, 0.5)
        self.dark = _rgb(self.hue, 0.4, 0.3)
        self.light = _rgb(self.hue, 0.5, 0.72)
        self.accent = _rgb(self.hue + 0.5, 0.35, 0.55)

    def _background(self) -> None:
        # A soft wall, a table edge, and the light from the upper left.
        top = _rgb(self.hue + 0.08, 0.25, 0.93)
        bottom = _rgb(self.hue + 0.08, 0.2, 0.85)
        wall = Image.linear_gradient("L").resize(
            (self.w, self.h), Image.Resampling.NEAREST
        )
        self.image.paste(
            Image.composite(
                Image.new("RGB", wall.size, bottom),
                Image.new("RGB", wall.size, top),
                wall,
            )
        )
        table = _rgb(self.hue + 0.1, 0.18, 0.8)
        ImageDraw.Draw(self.image).rectangle(
            (0, int(self.h * 0.72), self.w, self.h), fill=table
        )  # fmt: skip

    def box(self, cx: float, cy: float, w: float, h: float) -> tuple[int, ...]:
        half_w, half_h = w * self.grow / 2, h * self.grow / 2
        return (int((cx - half_w) * self.w), int((cy - half_h) * self.h),
                int((cx + half_w) * self.w), int((cy + half_h) * self.h))  # fmt: skip

    def soft(self, box: tuple[int, ...], fill: int, blur: int) -> Image.Image:
        """A blurred ellipse as a mask, blurred small (cheap) and scaled up."""
        small = Image.new("L", (self.w // 8, self.h // 8), 0)
        ImageDraw.Draw(small).ellipse([v // 8 for v in box], fill=fill)
        small = small.filter(ImageFilter.GaussianBlur(blur))
        return small.resize((self.w, self.h), Image.Resampling.BILINEAR)

    def shadow(self, width: float) -> None:
        layer = self.soft(self.box(0.5, 0.78, width, 0.07), 110, 2)
        tint = Image.new("RGB", layer.size, _rgb(self.hue + 0.1, 0.2, 0.55))
        self.image.paste(tint, mask=layer)

    def finish(self) -> Image.Image:
        return self.image


def _pot(c: _Canvas) -> None:
    c.shadow(0.5)
    d = c.draw
    d.ellipse(c.box(0.5, 0.56, 0.44, 0.42), fill=c.main)
    d.ellipse(c.box(0.44, 0.5, 0.16, 0.14), fill=c.light)
    d.rounded_rectangle(c.box(0.5, 0.35, 0.32, 0.06), radius=16 * SCALE, fill=c.dark)
    d.ellipse(c.box(0.5, 0.3, 0.07, 0.06), fill=c.dark)
    handle = c.box(0.5, 0.3, 0.3, 0.3)
    d.arc(handle, 200, 340, fill=c.dark, width=10 * SCALE)
    spout = [c.box(0.72, 0.55, 0, 0)[:2], c.box(0.82, 0.42, 0, 0)[:2],
             c.box(0.84, 0.44, 0, 0)[:2], c.box(0.73, 0.63, 0, 0)[:2]]  # fmt: skip
    d.polygon(spout, fill=c.main)


def _plates(c: _Canvas) -> None:
    c.shadow(0.62)
    for i in range(5):
        y = 0.72 - i * 0.035
        c.draw.ellipse(c.box(0.5, y, 0.6, 0.16), fill=c.light, outline=c.main,
                       width=3 * SCALE)  # fmt: skip
    c.draw.ellipse(c.box(0.5, 0.58, 0.36, 0.09), outline=c.accent, width=4 * SCALE)


def _knife(c: _Canvas) -> None:
    c.shadow(0.7)
    d = c.draw
    blade = [c.box(0.2, 0.6, 0, 0)[:2], c.box(0.6, 0.56, 0, 0)[:2],
             c.box(0.6, 0.66, 0, 0)[:2], c.box(0.28, 0.67, 0, 0)[:2]]  # fmt: skip
    d.polygon(blade, fill=(205, 210, 214))
    d.line([c.box(0.25, 0.62, 0, 0)[:2], c.box(0.6, 0.6, 0, 0)[:2]],
           fill=(235, 238, 240), width=4 * SCALE)  # fmt: skip
    d.rounded_rectangle(c.box(0.72, 0.615, 0.24, 0.08), radius=14 * SCALE,
                        fill=c.dark)  # fmt: skip


def _board(c: _Canvas) -> None:
    c.shadow(0.7)
    wood = _rgb(0.09 + c.hue * 0.03, 0.45, 0.62)
    grain = _rgb(0.08, 0.4, 0.52)
    d = c.draw
    d.rounded_rectangle(c.box(0.5, 0.62, 0.66, 0.24), radius=24 * SCALE, fill=wood)
    x0, y0, x1, y1 = c.box(0.5, 0.62, 0.6, 0.18)
    for i in range(6):
        y = y0 + (y1 - y0) * i / 5
        d.arc((x0, y - 30 * SCALE, x1, y + 30 * SCALE), 10, 170, fill=grain,
              width=2 * SCALE)  # fmt: skip
    d.ellipse(c.box(0.6, 0.5, 0.16, 0.1), fill=c.main)


def _mug(c: _Canvas) -> None:
    c.shadow(0.42)
    d = c.draw
    d.ellipse(c.box(0.64, 0.52, 0.16, 0.22), outline=c.main, width=16 * SCALE)
    d.rounded_rectangle(c.box(0.47, 0.53, 0.28, 0.4), radius=26 * SCALE, fill=c.main)
    d.ellipse(c.box(0.47, 0.34, 0.28, 0.06), fill=c.dark)
    d.rectangle(c.box(0.47, 0.55, 0.28, 0.05), fill=c.accent)
    if c.alt:  # a pair
        d.rounded_rectangle(c.box(0.25, 0.6, 0.18, 0.26), radius=18 * SCALE,
                            fill=c.light)  # fmt: skip


def _bottle(c: _Canvas) -> None:
    c.shadow(0.3)
    d = c.draw
    d.rounded_rectangle(c.box(0.5, 0.5, 0.2, 0.5), radius=34 * SCALE, fill=c.main)
    d.rounded_rectangle(c.box(0.5, 0.22, 0.11, 0.08), radius=8 * SCALE, fill=c.dark)
    d.rectangle(c.box(0.5, 0.52, 0.2, 0.12), fill=c.light)
    d.rounded_rectangle(c.box(0.45, 0.45, 0.03, 0.3), radius=6 * SCALE,
                        fill=_rgb(c.hue, 0.4, 0.65))  # fmt: skip


def _bag(c: _Canvas) -> None:
    c.shadow(0.45)
    d = c.draw
    if c.alt:  # a tin
        d.rounded_rectangle(c.box(0.5, 0.52, 0.3, 0.42), radius=10 * SCALE,
                            fill=c.main)  # fmt: skip
        d.rectangle(c.box(0.5, 0.33, 0.31, 0.05), fill=c.dark)
    else:  # a stand-up pouch
        d.polygon([c.box(0.36, 0.74, 0, 0)[:2], c.box(0.64, 0.74, 0, 0)[:2],
                   c.box(0.62, 0.28, 0, 0)[:2], c.box(0.38, 0.28, 0, 0)[:2]],
                  fill=c.main)  # fmt: skip
        d.rectangle(c.box(0.5, 0.3, 0.24, 0.03), fill=c.dark)
    d.rounded_rectangle(c.box(0.5, 0.55, 0.18, 0.16), radius=8 * SCALE,
                        fill=(250, 247, 240))  # fmt: skip
    d.ellipse(c.box(0.5, 0.55, 0.07, 0.08), fill=c.accent)


def _book(c: _Canvas) -> None:
    c.shadow(0.5)
    d = c.draw
    d.rectangle(c.box(0.52, 0.51, 0.36, 0.5), fill=(245, 242, 235))
    d.rectangle(c.box(0.5, 0.5, 0.36, 0.5), fill=c.main)
    d.rectangle(c.box(0.33, 0.5, 0.03, 0.5), fill=c.dark)
    d.rectangle(c.box(0.51, 0.38, 0.26, 0.06), fill=c.light)
    d.rectangle(c.box(0.51, 0.46, 0.2, 0.02), fill=c.light)
    d.ellipse(c.box(0.51, 0.62, 0.1, 0.12), fill=c.accent)


def _pen(c: _Canvas) -> None:
    c.shadow(0.7)
    layer = Image.new("RGBA", (c.w, c.h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.rounded_rectangle(c.box(0.48, 0.6, 0.5, 0.06), radius=20 * SCALE, fill=c.main)
    d.polygon([c.box(0.23, 0.57, 0, 0)[:2], c.box(0.23, 0.63, 0, 0)[:2],
               c.box(0.14, 0.6, 0, 0)[:2]], fill=(200, 170, 80))  # fmt: skip
    d.rectangle(c.box(0.6, 0.6, 0.02, 0.06), fill=(210, 190, 120))
    d.rounded_rectangle(c.box(0.66, 0.585, 0.2, 0.012), radius=4 * SCALE,
                        fill=(210, 190, 120))  # fmt: skip
    layer = layer.rotate(math.degrees(c.tilt), center=(c.w // 2, int(c.h * 0.6)))
    c.image.paste(layer, mask=layer)


def _textile(c: _Canvas) -> None:
    c.shadow(0.6)
    d = c.draw
    for i, colour in enumerate((c.dark, c.main, c.light)):
        y = 0.66 - i * 0.11
        d.rounded_rectangle(c.box(0.5, y, 0.56, 0.11), radius=20 * SCALE,
                            fill=colour)  # fmt: skip
        x0, _top, x1, y1 = c.box(0.5, y, 0.5, 0.02)
        d.line([(x0, y1), (x1, y1)], fill=c.accent, width=3 * SCALE)


def _headphones(c: _Canvas) -> None:
    c.shadow(0.5)
    d = c.draw
    d.arc(c.box(0.5, 0.5, 0.42, 0.5), 180, 360, fill=c.dark, width=18 * SCALE)
    for x in (0.3, 0.7):
        d.rounded_rectangle(c.box(x, 0.58, 0.1, 0.22), radius=24 * SCALE,
                            fill=c.main)  # fmt: skip


def _speaker(c: _Canvas) -> None:
    c.shadow(0.4)
    d = c.draw
    d.rounded_rectangle(c.box(0.5, 0.53, 0.3, 0.42), radius=60 * SCALE, fill=c.main)
    for i in range(6):
        y = 0.4 + i * 0.05
        d.line([c.box(0.4, y, 0, 0)[:2], c.box(0.6, y, 0, 0)[:2]], fill=c.dark,
               width=3 * SCALE)  # fmt: skip


def _device(c: _Canvas) -> None:
    c.shadow(0.55)
    d = c.draw
    d.rounded_rectangle(c.box(0.5, 0.56, 0.46, 0.3), radius=18 * SCALE, fill=c.light)
    d.rounded_rectangle(c.box(0.5, 0.47, 0.46, 0.08), radius=12 * SCALE, fill=c.main)
    d.rectangle(c.box(0.5, 0.62, 0.3, 0.02), fill=c.dark)
    d.ellipse(c.box(0.68, 0.55, 0.03, 0.04), fill=(90, 200, 140))


def _lamp(c: _Canvas) -> None:
    c.shadow(0.36)
    glow = c.soft(c.box(0.5, 0.42, 0.5, 0.6), 140, 7)
    c.image.paste(Image.new("RGB", glow.size, (255, 236, 180)), mask=glow)
    d = ImageDraw.Draw(c.image)
    c.draw = d
    d.rounded_rectangle(c.box(0.5, 0.58, 0.24, 0.3), radius=20 * SCALE, fill=c.main)
    d.rectangle(c.box(0.5, 0.5, 0.24, 0.03), fill=c.dark)
    d.ellipse(c.box(0.5, 0.37, 0.05, 0.1), fill=(255, 190, 80))
    d.ellipse(c.box(0.5, 0.39, 0.025, 0.05), fill=(255, 245, 210))


def _cards(c: _Canvas) -> None:
    c.shadow(0.6)
    for i in range(5):
        layer = Image.new("RGBA", (c.w, c.h), (0, 0, 0, 0))
        colour = _rgb(c.hue + i * 0.12, 0.45, 0.6 + (i % 2) * 0.1)
        d = ImageDraw.Draw(layer)
        d.rounded_rectangle(
            c.box(0.5, 0.52, 0.22, 0.34),
            radius=10 * SCALE,
            fill=colour,
            outline=(255, 255, 255),
            width=4 * SCALE,
        )
        d.ellipse(c.box(0.5, 0.5, 0.08, 0.1), fill=(255, 255, 255, 200))
        layer = layer.rotate((i - 2) * 12, center=(c.w // 2, int(c.h * 0.8)))
        c.image.paste(layer, mask=layer)  # fmt: skip


def _box(c: _Canvas) -> None:
    c.shadow(0.55)
    d = c.draw
    d.rectangle(c.box(0.5, 0.58, 0.46, 0.3), fill=c.main)
    d.rectangle(c.box(0.5, 0.42, 0.5, 0.08), fill=c.dark)
    d.rectangle(c.box(0.5, 0.56, 0.06, 0.34), fill=c.accent)
    d.polygon([c.box(0.5, 0.38, 0, 0)[:2], c.box(0.42, 0.3, 0, 0)[:2],
               c.box(0.44, 0.4, 0, 0)[:2]], fill=c.accent)  # fmt: skip
    d.polygon([c.box(0.5, 0.38, 0, 0)[:2], c.box(0.58, 0.3, 0, 0)[:2],
               c.box(0.56, 0.4, 0, 0)[:2]], fill=c.accent)  # fmt: skip


DRAWINGS = {
    "pot": _pot, "plates": _plates, "knife": _knife, "board": _board, "mug": _mug,
    "bottle": _bottle, "bag": _bag, "book": _book, "pen": _pen,
    "textile": _textile, "headphones": _headphones, "speaker": _speaker,
    "device": _device, "lamp": _lamp, "cards": _cards, "box": _box,
}  # fmt: skip


def product_photo(*, sku: str, name: str) -> Image.Image:
    """An 800 x 600 photo-like picture of the product called ``name``."""
    canvas = _Canvas(sku)
    DRAWINGS[kind_of(name)](canvas)
    return canvas.finish()
