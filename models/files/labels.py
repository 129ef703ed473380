"""Printable QR labels for checkpoints and greeting posts: one PNG, or A4 sheets as a PDF.

Pure functions (Pillow + qrcode; no Flask, no database). A label is 60 x 68 mm: a QR code of the
scan URL, the checkpoint's name in Chinese (two lines at most), the area and site, and a short
code printed big so a guard can type it when the camera fails. Twelve labels fill an A4 page
(3 x 4, cut lines around each): four labels of 80 mm would not fit 297 mm, 68 mm leaves
12.5 mm at the top and bottom and 15 mm at the sides, inside what home and office printers reach.

Everything is drawn 1-bit ("1" mode) at 300 dpi:

- QR modules are whole pixels (the box size is chosen so the code is near its target size, and
  the image is pasted, never resampled), so their edges stay sharp;
- Pillow writes a 1-bit page into the PDF as CCITT Group 4 (lossless, ~40 kB a page) instead of
  JPEG, whose ringing around module edges would hurt scanning;
- each page is appended to the PDF as soon as it is drawn and then dropped, so memory stays at
  one page (~9 MB) however many labels are printed.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont
from qrcode.image.pil import PilImage

from models.files.imaging import font_path

DPI = 300
LABEL_MM = (60.0, 68.0)
A4_PX = (2480, 3508)  # 210 x 297 mm at 300 dpi
COLUMNS, ROWS = 3, 4
LABELS_PER_PAGE = COLUMNS * ROWS

# Q recovers from ~25 % damage (a scratched or dirty label in a garage) and still gives a
# version 6 code (41 modules) for a typical 62-character scan URL: ~0.8 mm modules at 38 mm.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
QUIET_ZONE_MODULES = 4  # the white margin the QR standard requires around the code

# Layout in millimetres from the label's top and bottom edges.
_PAD_MM = 2.5  # inside the cut line, top and bottom
_SIDE_PAD_MM = 4.0  # left and right of the text
_QR_MM = 38.0  # the largest QR image, quiet zone included (dark part ~31 mm)
_TITLE_FONT_MM, _TITLE_LINE_MM, _TITLE_LINES = 4.0, 5.0, 2
_SUBTITLE_FONT_MM, _SUBTITLE_LINE_MM = 3.0, 4.5
_CODE_FONT_MM, _CODE_LINE_MM = 5.5, 7.0
_CUT_LINE_MM = 0.17  # 2 px at 300 dpi: visible, thinner than any text stroke


@dataclass(frozen=True)
class Label:
    url: str  # what the QR code holds: scan_url() of a signed token
    title: str  # checkpoint or post name, e.g. "3号消防栓"
    subtitle: str  # area and site, e.g. "B2停车库 · 华润中心"
    short_code: str  # typed by hand when the camera fails, e.g. "HRZX-C-0345"


def label_image(label: Label, *, dpi: int = DPI) -> Image.Image:
    """One label (60 x 68 mm) as a 1-bit image at ``dpi``."""
    width, height = _px(LABEL_MM[0], dpi), _px(LABEL_MM[1], dpi)
    im = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(im)
    cut = max(1, _px(_CUT_LINE_MM, dpi))
    draw.rectangle((0, 0, width - 1, height - 1), outline=0, width=cut)

    top = _px(_PAD_MM, dpi)
    qr_box = _px(_QR_MM, dpi)
    qr = _qr_image(label.url, qr_box)
    im.paste(qr, ((width - qr.width) // 2, top + (qr_box - qr.width) // 2))

    centre_x = width // 2
    text_width = width - 2 * _px(_SIDE_PAD_MM, dpi)
    # The title flows down from under the QR code; subtitle and code sit on the bottom edge.
    title_font = _font(_px(_TITLE_FONT_MM, dpi))
    title_line = _px(_TITLE_LINE_MM, dpi)
    y = top + qr_box + title_line // 2
    for line in _fit_lines(label.title, title_font, text_width, _TITLE_LINES):
        draw.text((centre_x, y), line, font=title_font, fill=0, anchor="mm")
        y += title_line

    code_font = _font(_px(_CODE_FONT_MM, dpi))
    code_y = height - _px(_PAD_MM, dpi) - _px(_CODE_LINE_MM, dpi) // 2
    code = _one_line(label.short_code, code_font, text_width)
    draw.text((centre_x, code_y), code, font=code_font, fill=0, anchor="mm")

    subtitle_font = _font(_px(_SUBTITLE_FONT_MM, dpi))
    subtitle_y = code_y - _px(_CODE_LINE_MM, dpi) // 2 - _px(_SUBTITLE_LINE_MM, dpi) // 2
    subtitle = _one_line(label.subtitle, subtitle_font, text_width)
    draw.text((centre_x, subtitle_y), subtitle, font=subtitle_font, fill=0, anchor="mm")
    return im


def label_png(label: Label) -> bytes:
    """One label as a 1-bit PNG at 300 dpi (the dpi is recorded, so it prints at 60 x 68 mm)."""
    out = io.BytesIO()
    label_image(label).save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def sheet_pages(
    labels: Sequence[Label], *, progress: Callable[[int, int], None] | None = None
) -> Iterator[Image.Image]:
    """A4 pages at 300 dpi with up to 12 labels each, drawn one page at a time.

    ``progress(done, total)`` is called after each label.
    """
    total = len(labels)
    label_w, label_h = _px(LABEL_MM[0], DPI), _px(LABEL_MM[1], DPI)
    left = (A4_PX[0] - COLUMNS * label_w) // 2
    top = (A4_PX[1] - ROWS * label_h) // 2
    for start in range(0, total, LABELS_PER_PAGE):
        page = Image.new("1", A4_PX, 1)
        for i, label in enumerate(labels[start : start + LABELS_PER_PAGE]):
            row, column = divmod(i, COLUMNS)
            page.paste(label_image(label), (left + column * label_w, top + row * label_h))
            if progress is not None:
                progress(start + i + 1, total)
        yield page
        del page  # before the next page is made: one page in memory, not two


def sheet_pdf(
    labels: Sequence[Label], *, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """A PDF of A4 label sheets (12 labels a page) to print at 100 % scale.

    ``progress(done, total)`` is called after each label. Raises ValueError for no labels.
    """
    if not labels:
        raise ValueError("no labels to print")
    out = io.BytesIO()
    for number, page in enumerate(sheet_pages(labels, progress=progress)):
        # append=True adds the page to the PDF already in ``out``: only one page is held at once.
        page.save(out, "PDF", resolution=DPI, append=number > 0)
        del page  # let the page go before sheet_pages() draws the next one
    return out.getvalue()


# --- drawing helpers ----------------------------------------------------------------------


def _px(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _qr_image(url: str, max_side: int) -> Image.Image:
    """The QR code of ``url`` with its quiet zone, at most ``max_side`` pixels, whole-pixel
    modules (1-bit)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    qr.add_data(url)
    qr.make(fit=True)
    # The largest whole number of pixels per module that fits: no resampling, sharp edges.
    qr.box_size = max(1, max_side // (qr.modules_count + 2 * QUIET_ZONE_MODULES))
    return qr.make_image(image_factory=PilImage).get_image()


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # Noto Sans SC (covers Chinese), loaded once per size and process: reading the 10 MB font
    # for every label would cost more than drawing it. Chinese and Latin need no shaping, so
    # the basic layout engine gives the same result with or without libraqm.
    return ImageFont.truetype(font_path(), size, layout_engine=ImageFont.Layout.BASIC)


# Latin words and numbers ("B2", "HRZX-C-0345") stay whole when a line is wrapped; any other
# character (a Chinese character, a separator) may end a line.
_WRAP_TOKEN = re.compile(r"[0-9A-Za-z_.,:+\-/#()]+ ?|.", re.DOTALL)


def _fit_lines(
    text: str, font: ImageFont.FreeTypeFont, max_width: int, max_lines: int
) -> list[str]:
    """``text`` wrapped to ``max_width`` pixels; past ``max_lines`` the last line ends in "…"."""
    lines: list[str] = []
    current = ""
    for token in _WRAP_TOKEN.findall(" ".join(text.split())):
        if current and font.getlength(current + token) > max_width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())

    cut = len(lines) > max_lines
    lines = lines[:max_lines]
    for i, line in enumerate(lines):
        # A line is still too wide when one Latin word alone is wider than the label.
        if font.getlength(line) > max_width or (cut and i == len(lines) - 1):
            lines[i] = _ellipsize(line, font, max_width)
    return lines


def _one_line(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    lines = _fit_lines(text, font, max_width, 1)
    return lines[0] if lines else ""


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text.rstrip() + "…"
