"""Printable QR labels: the codes decode to their URL, Chinese text renders, sheets paginate."""

import io

import pytest
import zxingcpp  # dev dependency: a real QR decoder (C++ library inside the wheel)
from PIL import Image, ImageChops, PdfParser

from models.files import labels as labels_module
from models.files.labels import (
    A4_PX,
    LABELS_PER_PAGE,
    Label,
    label_image,
    label_png,
    sheet_pages,
    sheet_pdf,
)
from models.rules.qr_signing import make_token, scan_url

SECRET = bytes(range(32))
BASE = "https://xunjian.hrzx.com.cn"
LABEL_PX = (709, 803)  # 60 x 68 mm at 300 dpi


def url_for(checkpoint_id: int) -> str:
    return scan_url(BASE, make_token("c", 12, checkpoint_id, 1, SECRET))


def make_label(checkpoint_id=345, title="3号消防栓", subtitle="B2停车库 · 华润中心", code=None):
    return Label(
        url=url_for(checkpoint_id),
        title=title,
        subtitle=subtitle,
        short_code=code or f"HRZX-C-{checkpoint_id:04d}",
    )


def decode(im: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(im.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return sorted(barcode.text for barcode in found)


def changed_rows(a: Image.Image, b: Image.Image) -> tuple[int, int]:
    """The first and last row where two renderings differ (they must differ)."""
    box = ImageChops.difference(a.convert("L"), b.convert("L")).getbbox()
    assert box is not None, "the two renderings are identical"
    return box[1], box[3]


# --- one label ------------------------------------------------------------------------------


def test_label_png_decodes_to_its_url():
    label = make_label()
    data = label_png(label)
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == LABEL_PX
        assert im.mode == "1"
        assert round(im.info["dpi"][0]) == 300
        assert decode(im) == [label.url]


def test_label_still_decodes_when_seen_small():
    # A phone camera held at arm's length sees the label at a fraction of print resolution.
    label = make_label(7)
    small = label_image(label).convert("L").reduce(4)  # ~75 dpi, box-averaged
    assert decode(small) == [label.url]


def test_label_at_another_dpi_keeps_its_physical_size():
    im = label_image(make_label(), dpi=150)
    assert im.size == (354, 402)
    assert decode(im) == [make_label().url]


def test_qr_modules_are_whole_pixels():
    url = url_for(345)
    qr = labels_module._qr_image(url, 449)
    assert qr.mode == "1"
    assert qr.width == qr.height <= 449
    # Version 6 at error correction Q: 41 modules + 2 x 4 quiet zone = 49, 9 px each.
    assert qr.width == 49 * 9
    assert decode(qr) == [url]


def test_chinese_title_renders_as_glyphs_not_boxes():
    # Without a CJK font every character is the same empty box ("tofu"): two different Chinese
    # names of the same length would then render identically.
    same_code = "HRZX-C-0001"
    qr_top, qr_bottom = changed_rows(
        label_image(make_label(1, code=same_code)), label_image(make_label(2, code=same_code))
    )
    a = label_image(make_label(title="3号消防栓"))
    b = label_image(make_label(title="3号配电房"))
    top, bottom = changed_rows(a, b)
    assert top > qr_bottom  # the title is drawn under the QR code, not over it
    # And against characters that no font has (private use): real glyphs differ from boxes.
    tofu = label_image(make_label(title="3号\U000f0000\U000f0001\U000f0002"))
    changed_rows(a, tofu)


def test_title_region_is_not_blank():
    with_title = label_image(make_label(title="大堂东门"))
    without = label_image(make_label(title=""))
    top, bottom = changed_rows(with_title, without)
    title_band = with_title.convert("L").crop((0, top, LABEL_PX[0], bottom))
    assert title_band.histogram()[0] > 500  # black pixels of the strokes


def test_subtitle_and_short_code_render_below_the_title():
    base = label_image(make_label())
    _, title_bottom = changed_rows(base, label_image(make_label(title="配电房")))
    sub_top, sub_bottom = changed_rows(base, label_image(make_label(subtitle="大堂 · 华润大厦")))
    code_top, _ = changed_rows(base, label_image(make_label(code="HRZX-C-9999")))
    assert title_bottom < sub_top < sub_bottom < code_top


def test_long_title_is_cut_to_two_lines_with_an_ellipsis():
    font = labels_module._font(47)
    long_title = "华润中心地下二层东侧消防通道应急照明配电箱及排水泵房门口" * 2
    lines = labels_module._fit_lines(long_title, font, 614, 2)
    assert len(lines) == 2
    assert lines[1].endswith("…")
    assert all(font.getlength(line) <= 614 for line in lines)
    assert labels_module._fit_lines("3号消防栓", font, 614, 2) == ["3号消防栓"]
    # Latin words and codes are not split across lines.
    assert labels_module._fit_lines("B2 停车库 HRZX-C-0345", font, 300, 3)[-1] == "HRZX-C-0345"


def test_long_title_does_not_run_into_the_subtitle():
    base = label_image(make_label())
    sub_top, _ = changed_rows(base, label_image(make_label(subtitle="大堂 · 华润大厦")))
    long_title = label_image(make_label(title="华润中心地下二层东侧消防通道应急照明配电箱" * 3))
    _, title_bottom = changed_rows(base, long_title)
    assert title_bottom < sub_top
    assert decode(long_title) == [make_label().url]


def test_label_has_a_cut_border():
    im = label_image(make_label()).convert("L")
    width, height = im.size
    for x, y in [
        (0, height // 2),
        (width - 1, height // 2),
        (width // 2, 0),
        (width // 2, height - 1),
    ]:
        assert im.getpixel((x, y)) == 0


# --- sheets ---------------------------------------------------------------------------------


def test_sheet_pages_paginate_and_decode():
    labels = [make_label(100 + i, title=f"{i + 1}号巡更点") for i in range(25)]
    calls = []
    pages = list(sheet_pages(labels, progress=lambda done, total: calls.append((done, total))))
    assert len(pages) == 3
    assert calls == [(i, 25) for i in range(1, 26)]
    for number, page in enumerate(pages):
        assert page.size == A4_PX and page.mode == "1"
        expected = sorted(label.url for label in labels[number * 12 : (number + 1) * 12])
        assert decode(page) == expected


def test_sheet_pages_are_drawn_one_at_a_time():
    calls = []
    pages = sheet_pages([make_label(i) for i in range(30)], progress=lambda d, t: calls.append(d))
    next(pages)
    assert calls == list(range(1, LABELS_PER_PAGE + 1))  # the next pages are not drawn yet


def test_sheet_pdf_has_one_a4_page_per_twelve_labels():
    labels = [make_label(200 + i) for i in range(25)]
    calls = []
    pdf = sheet_pdf(labels, progress=lambda done, total: calls.append((done, total)))
    assert pdf.startswith(b"%PDF")
    assert calls == [(i, 25) for i in range(1, 26)]

    parsed = PdfParser.PdfParser(buf=pdf)
    assert len(parsed.pages) == 3
    for ref in parsed.pages:
        page = parsed.read_indirect(ref)
        width_pt, height_pt = page[b"MediaBox"][2:]
        assert width_pt == pytest.approx(595.3, abs=0.2)  # A4: 210 x 297 mm
        assert height_pt == pytest.approx(841.9, abs=0.2)
    # 1-bit pages are stored losslessly (CCITT G4); JPEG would blur the QR modules.
    assert pdf.count(b"/CCITTFaxDecode") == 3
    assert b"/DCTDecode" not in pdf
    assert len(pdf) < 3 * 100_000


def test_sheet_pdf_of_nothing_is_refused():
    with pytest.raises(ValueError, match="no labels"):
        sheet_pdf([])
