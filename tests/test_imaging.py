"""Unit tests of the photo pipeline, on images made here with Pillow (no fixture files)."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from PIL import (
    ExifTags,
    Image,
    ImageChops,
    ImageDraw,
    ImageFile,
    ImageFilter,
    ImageFont,
    JpegImagePlugin,
)

from models.files.imaging import (
    ACCEPTED_FORMATS,
    CONTENT_TYPES,
    REJECTION_CODES,
    REUSE_MAX_DISTANCE,
    STAMP_BAND_MAX_SHARE,
    ImageLimits,
    ProcessedPhoto,
    font_path,
    hamming,
    perceptual_hash,
    process_photo,
)
from models.refused import Refused

LINES = ["2026-11-23 08:31 +08:00", "华润大厦 · B2停车库 · 3号巡更点", "护卫员 张三"]


# --- test images --------------------------------------------------------------------------


def make_photo(width: int = 800, height: int = 600, seed: int = 1) -> Image.Image:
    """Photo-like content: a gradient, random shapes, lens blur and sensor noise."""
    rnd = random.Random(seed)
    top = tuple(rnd.randrange(60, 230) for _ in range(3))
    bottom = tuple(rnd.randrange(20, 160) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    size = (width, height)
    im = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(im)
    for _ in range(40):
        x0, y0 = rnd.randrange(-width // 4, width), rnd.randrange(-height // 4, height)
        x1 = x0 + rnd.randrange(width // 20, width // 2)
        y1 = y0 + rnd.randrange(height // 20, height // 2)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            corners = [(rnd.randrange(x0, x1), rnd.randrange(y0, y1)) for _ in range(5)]
            draw.polygon(corners, fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(max(1, width // 800)))
    noise = Image.merge("RGB", [Image.effect_noise(size, 10) for _ in range(3)])
    return ImageChops.add(im, noise, scale=1.0, offset=-128)


def encode(im: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def phone_exif(orientation: int = 1, offset: str | None = "+08:00") -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "Redmi Note 13"
    exif[ExifTags.Base.Orientation] = orientation
    exif_ifd: dict[int, object] = {ExifTags.Base.DateTimeOriginal: "2026:11:23 08:31:05"}
    if offset is not None:
        exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    exif[ExifTags.IFD.Exif] = exif_ifd
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (31.0, 14.0, 22.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (121.0, 28.0, 1.2),
    }
    return exif


def process(data: bytes, lines: list[str] | None = None, **kwargs: object) -> ProcessedPhoto:
    kwargs.setdefault("declared_content_type", None)
    return process_photo(data, stamp_lines=LINES if lines is None else lines, **kwargs)


def opened(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def rejection(data: bytes, **kwargs: object) -> Refused:
    with pytest.raises(Refused) as info:
        process(data, **kwargs)
    assert info.value.reason in REJECTION_CODES
    assert info.value.message and str(info.value) == info.value.message
    return info.value


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height pixels that compresses to a few kilobytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits, all zero
    rows = zlib.compressobj(9)
    idat = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def jpeg_claiming_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width x height."""
    data = bytearray(encode(make_photo(64, 48)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's header segments, up to the start of scan."""
    markers, i = [], 2
    while data[i] == 0xFF:
        marker = data[i + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        i += 2 + length
    return markers


# --- accepted photos ----------------------------------------------------------------------


def test_jpeg_is_downscaled_stamped_and_described() -> None:
    data = encode(make_photo(2400, 1800), quality=90)
    photo = process(data, declared_content_type="image/jpeg")

    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.original_format == "JPEG"
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert -(2**63) <= photo.phash < 2**63
    image, thumb = opened(photo.image), opened(photo.thumbnail)
    assert (image.format, image.size, image.mode) == ("JPEG", (1600, 1200), "RGB")
    assert (thumb.format, thumb.size) == ("JPEG", (320, 240))


def test_small_photo_is_not_enlarged() -> None:
    photo = process(encode(make_photo(640, 480)))
    assert (photo.width, photo.height) == (640, 480)
    assert opened(photo.thumbnail).size == (320, 240)


def test_limits_are_configurable() -> None:
    limits = ImageLimits(long_side=1000, thumb_side=200, quality=70)
    photo = process(encode(make_photo(1200, 900)), limits=limits)
    assert (photo.width, photo.height) == (1000, 750)
    assert opened(photo.thumbnail).size == (200, 150)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt: str) -> None:
    data = encode(make_photo(400, 300), fmt)
    photo = process(data, declared_content_type=CONTENT_TYPES[fmt])
    assert photo.original_format == fmt
    assert opened(photo.image).format == "JPEG"


@pytest.mark.parametrize(
    "declared", [None, "application/octet-stream", "image/jpeg", "IMAGE/JPEG; q=1", "image/jpg"]
)
def test_declared_content_type_that_matches_or_is_absent(declared: str | None) -> None:
    assert process(encode(make_photo(200, 150)), declared_content_type=declared).width == 200


def test_transparency_is_flattened_onto_white() -> None:
    im = Image.new("RGBA", (200, 200), (0, 0, 0, 0))  # fully transparent black
    ImageDraw.Draw(im).rectangle((0, 0, 99, 199), fill=(200, 0, 0, 255))
    out = opened(process(encode(im, "PNG"), lines=[]).image)
    assert out.getpixel((150, 100)) >= (250, 250, 250)  # transparent -> white, not black
    red = out.getpixel((50, 100))
    assert red[0] > 180 and red[1] < 30 and red[2] < 30


@pytest.mark.parametrize(
    "im",
    [
        make_photo(300, 200).convert("P"),  # palette PNG
        make_photo(300, 200).convert("L"),  # greyscale
        make_photo(300, 200).convert("1"),  # bilevel
        make_photo(300, 200).convert("LA"),  # greyscale + alpha
    ],
    ids=["P", "L", "1", "LA"],
)
def test_png_modes_become_rgb(im: Image.Image) -> None:
    out = opened(process(encode(im, "PNG")).image)
    assert (out.mode, out.size) == ("RGB", (300, 200))


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    im = Image.new("I;16", (100, 100), 32768)  # mid grey in 16 bits
    out = opened(process(encode(im, "PNG"), lines=[]).image)
    assert 120 <= out.getpixel((50, 50))[0] <= 135


def test_cmyk_jpeg_becomes_rgb() -> None:
    out = opened(process(encode(make_photo(300, 200).convert("CMYK"))).image)
    assert out.mode == "RGB"


def test_multi_picture_jpeg_is_accepted_as_its_first_picture() -> None:
    first, second = make_photo(400, 300, seed=1), make_photo(400, 300, seed=2)
    data = encode(first, "MPO", save_all=True, append_images=[second])
    photo = process(data, declared_content_type="image/jpeg", lines=[])
    assert photo.original_format == "JPEG"
    expected = process(encode(first), lines=[])
    assert hamming(photo.phash, expected.phash) <= 2


def test_large_jpeg_is_decoded_at_a_reduced_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    # The speed of the pipeline rests on draft(): a 4000x3000 photo must be decoded at 1/2
    # scale (2000x1500, still above 1600), not in full.
    decoded_sizes = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: object) -> object:
        result = original_draft(self, mode, size)
        decoded_sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    photo = process(encode(Image.new("RGB", (4000, 3000), "gray")))
    assert decoded_sizes[0] == (2000, 1500)
    assert (photo.width, photo.height) == (1600, 1200)


@pytest.mark.parametrize("size", [(1, 1), (3000, 10), (10, 3000), (40, 30)])
def test_tiny_and_extreme_shapes_do_not_break_the_stamp(size: tuple[int, int]) -> None:
    photo = process(encode(Image.new("RGB", size, "gray")))
    assert max(photo.width, photo.height) <= 1600
    assert opened(photo.image).mode == "RGB"


# --- refusals -----------------------------------------------------------------------------


def test_png_declared_as_jpeg_is_refused() -> None:
    error = rejection(encode(make_photo(200, 150), "PNG"), declared_content_type="image/jpeg")
    assert error.reason == "content_type_mismatch"
    assert "image/jpeg" in error.message and "PNG" in error.message


def test_jpeg_declared_as_something_else_is_refused() -> None:
    error = rejection(encode(make_photo(200, 150)), declared_content_type="text/plain")
    assert error.reason == "content_type_mismatch"


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is a text file\n" * 10, b"%PDF-1.7\n%...", bytes(range(256))],
    ids=["empty", "text", "pdf", "binary"],
)
def test_not_an_image(data: bytes) -> None:
    error = rejection(data)
    assert error.reason == "not_an_image"
    assert "JPEG, PNG or WebP" in error.message


def test_heic_gets_its_own_advice() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)
    error = rejection(heic, declared_content_type="image/heic")
    assert error.reason == "unsupported_format"
    assert "HEIC" in error.message and "JPEG" in error.message
    assert "Most Compatible" in error.message


def test_avif_is_unsupported() -> None:
    avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(200)
    error = rejection(avif)
    assert error.reason == "unsupported_format" and "AVIF" in error.message


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(fmt: str) -> None:
    error = rejection(encode(make_photo(100, 80), fmt), declared_content_type="image/gif")
    assert error.reason == "unsupported_format"
    assert fmt in error.message and "JPEG, PNG or WebP" in error.message


@pytest.mark.parametrize("size", [(2400, 1800), (800, 600)])
def test_truncated_jpeg_is_corrupt(size: tuple[int, int]) -> None:
    data = encode(make_photo(*size), quality=90)
    error = rejection(data[: len(data) * 6 // 10])
    assert error.reason == "corrupt_image"
    assert not ImageFile.LOAD_TRUNCATED_IMAGES  # and nothing here turned it on


def test_truncated_png_is_corrupt() -> None:
    data = encode(make_photo(400, 300), "PNG")
    assert rejection(data[: len(data) // 2]).reason == "corrupt_image"


def test_garbage_after_a_jpeg_signature_is_corrupt() -> None:
    garbage = b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(5000)
    assert rejection(garbage).reason == "corrupt_image"


@pytest.mark.parametrize(
    "data",
    [
        png_bomb(8000, 8000),  # 64 MP: over our 50 MP, under Pillow's own warning
        png_bomb(10000, 10000),  # 100 MP: Pillow alone would warn (DecompressionBombWarning)
        png_bomb(20000, 20000),  # 400 MP: Pillow alone would raise DecompressionBombError
        jpeg_claiming_size(30000, 30000),
    ],
    ids=["png-64MP", "png-100MP", "png-400MP", "jpeg-900MP"],
)
def test_pixel_bombs_are_refused_before_decoding(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(data) < 200_000  # they really are small files

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    error = rejection(data)
    assert error.reason == "too_many_pixels"
    assert "megapixels" in error.message


def test_pixel_limit_is_configurable() -> None:
    data = encode(make_photo(400, 300))
    assert rejection(data, limits=ImageLimits(max_pixels=100_000)).reason == "too_many_pixels"


def test_too_many_bytes_is_checked_first() -> None:
    limits = ImageLimits(max_bytes=1000)
    assert rejection(encode(make_photo(200, 150)), limits=limits).reason == "too_many_bytes"
    error = rejection(b"not an image at all " * 100, limits=limits)
    assert error.reason == "too_many_bytes" and "MB" in error.message


# --- orientation and metadata ------------------------------------------------------------


def test_exif_orientation_6_is_applied() -> None:
    # Stored landscape: left half red, right half blue. Orientation 6 means "rotate 90 degrees
    # clockwise to view", so the stored left edge becomes the top: red above, blue below.
    # Large enough that JPEG draft() is used on the way.
    im = Image.new("RGB", (3400, 1700), (220, 0, 0))
    im.paste((0, 0, 220), (1700, 0, 3400, 1700))
    photo = process(encode(im, exif=phone_exif(orientation=6)), lines=[])

    assert (photo.width, photo.height) == (800, 1600)
    out = opened(photo.image)
    top, bottom = out.getpixel((400, 200)), out.getpixel((400, 1400))
    assert top[0] > 180 and top[2] < 40, top
    assert bottom[2] > 180 and bottom[0] < 40, bottom


def test_no_metadata_leaks_into_the_output() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encode(
        make_photo(800, 600),
        exif=phone_exif(),
        icc_profile=b"\x00" * 128,
        comment="GPS 31.2396N 121.4670E",
        xmp=xmp,
    )
    source = opened(data)
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input does carry GPS

    photo = process(data)
    for output in (photo.image, photo.thumbnail):
        im = opened(output)
        assert not im.getexif()
        assert not im.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
            assert key not in im.info
        # Only JFIF (APP0) and the image data itself: no APP1..APP15 (EXIF, XMP, ICC), no COM.
        markers = jpeg_segments(output)
        assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE], markers
        assert b"Xiaomi" not in output and b"GPS" not in output


def test_captured_at_with_offset_is_aware() -> None:
    photo = process(encode(make_photo(200, 150), exif=phone_exif(offset="+08:00")))
    expected = datetime(2026, 11, 23, 8, 31, 5, tzinfo=timezone(timedelta(hours=8)))
    assert photo.captured_at == expected
    assert photo.captured_at.utcoffset() == timedelta(hours=8)


def test_captured_at_without_offset_is_naive() -> None:
    photo = process(encode(make_photo(200, 150), exif=phone_exif(offset=None)))
    assert photo.captured_at == datetime(2026, 11, 23, 8, 31, 5)
    assert photo.captured_at.tzinfo is None


def test_captured_at_missing_or_garbage_is_none() -> None:
    assert process(encode(make_photo(200, 150))).captured_at is None
    exif = Image.Exif()
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "0000:00:00 00:00:00"}
    assert process(encode(make_photo(200, 150), exif=exif)).captured_at is None


# --- evidence stamp -----------------------------------------------------------------------


def test_font_renders_chinese_not_tofu() -> None:
    assert font_path().is_file()
    font = ImageFont.truetype(font_path(), 40)

    def glyph(character: str) -> bytes:
        im = Image.new("L", (60, 60))
        ImageDraw.Draw(im).text((5, 5), character, font=font, fill=255)
        return im.tobytes()

    missing = glyph("\ue000")  # a private-use character: drawn as the "tofu" .notdef box
    glyphs = {c: glyph(c) for c in "华润巡更护卫员张三"}
    assert missing not in glyphs.values()
    assert len(set(glyphs.values())) == len(glyphs)  # each character has its own shape


def test_stamp_is_burnt_into_the_bottom_band() -> None:
    data = encode(make_photo(1600, 1200), quality=92)
    stamped = opened(process(data).image).convert("L")
    plain = opened(process(data, lines=[]).image).convert("L")
    width, height = stamped.size

    top = (0, 0, width, height // 2)
    assert ImageChops.difference(stamped.crop(top), plain.crop(top)).getbbox() is None

    band = (0, int(height * 0.8), width, height)
    diff = ImageChops.difference(stamped.crop(band), plain.crop(band))
    assert diff.getbbox() is not None
    stamped_band, plain_band = stamped.crop(band), plain.crop(band)
    assert _mean(stamped_band) < _mean(plain_band)  # the band is darker...
    light = stamped_band.point(lambda v: 255 if v > 230 else 0).histogram()[255]
    assert light > 2000  # ...and carries white text


def test_stamp_is_readable_in_the_thumbnail() -> None:
    data = encode(make_photo(1600, 1200), quality=92)
    thumb = opened(process(data).thumbnail).convert("L")
    plain = opened(process(data, lines=[]).thumbnail).convert("L")
    band = (0, int(thumb.height * 0.8), thumb.width, thumb.height)
    # Text about 12 px high: light strokes survive the downscale.
    light = thumb.crop(band).point(lambda v: 255 if v > 200 else 0).histogram()[255]
    assert light > 150
    assert _mean(thumb.crop(band)) < _mean(plain.crop(band))


def test_many_long_lines_stay_within_the_band_share() -> None:
    data = encode(make_photo(1200, 1600))
    lines = ["华润大厦 · B2停车库 · 3号巡更点 · 东侧消防通道旁配电房门口"] * 6
    stamped = opened(process(data, lines=lines).image).convert("L")
    plain = opened(process(data, lines=[]).image).convert("L")
    changed = ImageChops.difference(stamped, plain).point(lambda v: 255 if v > 8 else 0)
    top_of_change = changed.getbbox()[1]
    assert top_of_change >= stamped.height * (1 - STAMP_BAND_MAX_SHARE) - 2


def _mean(im: Image.Image) -> float:
    histogram = im.histogram()
    return sum(i * n for i, n in enumerate(histogram)) / sum(histogram)


# --- perceptual hash ----------------------------------------------------------------------


def _reencoded(data: bytes, quality: int, scale: float) -> bytes:
    im = opened(data)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.BICUBIC)
    return encode(im, quality=quality)


def test_phash_survives_reencoding_and_resizing() -> None:
    for seed in range(4):
        original = encode(make_photo(1200, 900, seed=seed), quality=92)
        copy = _reencoded(original, quality=60, scale=0.9)
        distance = hamming(process(original).phash, process(copy).phash)
        assert distance <= REUSE_MAX_DISTANCE, (seed, distance)


def test_phash_matches_a_stamped_copy_sent_again() -> None:
    original = encode(make_photo(1200, 900, seed=5))
    first = process(original)
    again = process(first.image, lines=["2026-11-24 09:00 +08:00", "护卫员 李四"])
    assert hamming(first.phash, again.phash) <= REUSE_MAX_DISTANCE


def test_phash_tells_different_photos_apart() -> None:
    hashes = [process(encode(make_photo(800, 600, seed=seed))).phash for seed in range(6)]
    distances = [hamming(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]]
    assert min(distances) > 2 * REUSE_MAX_DISTANCE, distances


def test_phash_is_the_standard_dct_hash() -> None:
    # A naive 2-D DCT-II over the same 32x32 grey pixels, compared bit for bit.
    import math
    import statistics

    grey = make_photo(32, 32).convert("L")
    pixels = list(grey.tobytes())
    coefficients = []
    for v in range(8):
        for u in range(8):
            total = 0.0
            for y in range(32):
                for x in range(32):
                    total += (
                        pixels[y * 32 + x]
                        * math.cos(math.pi * (2 * x + 1) * u / 64)
                        * math.cos(math.pi * (2 * y + 1) * v / 64)
                    )
            coefficients.append(total)
    median = statistics.median(coefficients)
    expected = int("".join("1" if c > median else "0" for c in coefficients), 2)

    # perceptual_hash() leaves out the bottom stamp strip; give it a picture whose top part
    # is exactly the 32x32 block, with the strip below it.
    strip = round(32 * STAMP_BAND_MAX_SHARE / (1 - STAMP_BAND_MAX_SHARE))
    framed = Image.new("RGB", (32, 32 + strip), "black")
    framed.paste(grey.convert("RGB"), (0, 0))
    assert hamming(perceptual_hash(framed), expected) == 0


def test_hamming() -> None:
    assert hamming(0, 0) == 0
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(-1, 0) == 64  # signed form: all 64 bits set
    assert hamming(-(2**63), 2**63) == 0  # the same bits, signed and unsigned


# --- API ----------------------------------------------------------------------------------


def test_public_constants() -> None:
    assert ACCEPTED_FORMATS == ("JPEG", "PNG", "WEBP")
    assert set(CONTENT_TYPES) == set(ACCEPTED_FORMATS)
    assert set(REJECTION_CODES) == {
        "not_an_image",
        "unsupported_format",
        "corrupt_image",
        "too_many_bytes",
        "too_many_pixels",
        "content_type_mismatch",
    }


@pytest.mark.parametrize(
    "kwargs", [{"max_bytes": 0}, {"max_pixels": -1}, {"long_side": 0}, {"quality": 0}]
)
def test_image_limits_are_validated(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        ImageLimits(**kwargs)


# --- a JPEG cut short and closed again ----------------------------------------------------------
# libjpeg decodes a scan that meets a marker before its last MCU "successfully" (a warning only)
# and fills the rest with grey: such a file must be refused, not stored with the stamp over grey.


def cut_and_closed(data: bytes, fraction: float) -> bytes:
    """The file cut at ``fraction`` of its length and given an end-of-image marker."""
    return data[: int(len(data) * fraction)] + b"\xff\xd9"


def eoi_inside(data: bytes, fraction: float) -> bytes:
    """The whole file with an end-of-image marker written into it at ``fraction``."""
    at = int(len(data) * fraction)
    return data[:at] + b"\xff\xd9" + data[at:]


def test_pillow_alone_decodes_a_cut_and_closed_jpeg_with_a_grey_bottom() -> None:
    """What the pipeline guards against (if this changes, Pillow refuses such files itself)."""
    data = cut_and_closed(encode(make_photo(800, 600), quality=90), 0.5)
    im = opened(data)
    assert im.getpixel((400, 590)) == (128, 128, 128)
    assert im.crop((0, 500, 800, 600)).getextrema() == ((128, 128),) * 3


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.6, 0.8, 0.95])
@pytest.mark.parametrize("size", [(2400, 1800), (800, 600)])
def test_a_jpeg_cut_short_and_closed_is_corrupt(size: tuple[int, int], fraction: float) -> None:
    data = encode(make_photo(*size), quality=90)
    assert rejection(cut_and_closed(data, fraction)).reason == "corrupt_image"
    assert not ImageFile.LOAD_TRUNCATED_IMAGES


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.9])
def test_an_end_of_image_marker_inside_the_scan_is_corrupt(fraction: float) -> None:
    data = encode(make_photo(1200, 900), quality=90, exif=phone_exif(orientation=6))
    assert rejection(eoi_inside(data, fraction)).reason == "corrupt_image"


@pytest.mark.parametrize(
    "params",
    [
        {"subsampling": 0},  # 4:4:4, three blocks per MCU
        {"optimize": True},  # optimised Huffman tables
        {"restart_marker_rows": 1},  # a restart marker after every MCU row
    ],
    ids=["444", "optimized", "restarts"],
)
def test_other_jpeg_variants_cut_short_and_closed_are_corrupt(params: dict) -> None:
    data = encode(make_photo(1000, 750), quality=85, **params)
    assert len(process(data).image) > 0  # the whole file is accepted
    for fraction in (0.4, 0.9):
        assert rejection(cut_and_closed(data, fraction)).reason == "corrupt_image", fraction
        assert rejection(eoi_inside(data, fraction)).reason == "corrupt_image", fraction


def test_a_greyscale_jpeg_cut_short_and_closed_is_corrupt() -> None:
    data = encode(make_photo(800, 600).convert("L"), quality=90)
    assert process(data).width == 800
    assert rejection(cut_and_closed(data, 0.7)).reason == "corrupt_image"


def test_a_cut_near_the_end_of_the_scan_is_still_caught() -> None:
    """The last MCU rows matter too: cuts a few hundred bytes before the end are refused."""
    data = encode(make_photo(800, 600), quality=90)
    end = data.rindex(b"\xff\xd9")
    for missing in (2000, 500, 200):
        assert rejection(data[: end - missing] + b"\xff\xd9").reason == "corrupt_image", missing


@pytest.mark.parametrize("fraction", [0.02, 0.1, 0.3, 0.45])
def test_a_progressive_jpeg_missing_scans_is_corrupt(fraction: float) -> None:
    """Cut before its last scan (from 47 % of this file on: the last bit of the luminance
    detail, whose loss leaves a picture, if a softer one, is not seen)."""
    data = encode(make_photo(1200, 900), quality=90, progressive=True)
    assert process(data).width == 1200
    assert rejection(cut_and_closed(data, fraction)).reason == "corrupt_image"
    assert rejection(eoi_inside(data, fraction)).reason == "corrupt_image"


def test_a_whole_jpeg_decodes_as_before() -> None:
    """Checking the scan changes no pixel: unstamped, the stored image is byte for byte what
    Pillow makes of the whole file (draft, load, JPEG at the pipeline's quality)."""
    data = encode(make_photo(1200, 900), quality=90)
    direct = Image.open(io.BytesIO(data))
    direct.draft("RGB", (1200, 900))
    direct.load()
    assert process(data, lines=[]).image == encode(direct, quality=ImageLimits().quality)


@pytest.mark.parametrize(
    "extra",
    [b"", b"\x00" * 100, b"trailing bytes some cameras add"],
    ids=["exact", "zeros-after", "text-after"],
)
def test_bytes_after_the_end_of_image_do_not_matter(extra: bytes) -> None:
    data = encode(make_photo(800, 600), quality=90)
    assert process(data + extra).width == 800


def test_a_whole_scan_without_its_end_of_image_marker_is_accepted() -> None:
    """Nothing of the picture is missing when only the final marker is."""
    data = encode(make_photo(800, 600), quality=90)
    assert data.endswith(b"\xff\xd9")
    assert process(data[:-2]).width == 800
