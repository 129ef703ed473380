"""The photo pipeline: uploaded bytes in, a safe evidence JPEG and a thumbnail out.

Pure functions over bytes (Pillow only; no Flask, no database), so the upload endpoint, the
tests and the benchmark all call the same code.

Order of work in :func:`process_photo`, cheapest refusal first:

1. byte size;
2. the real format, sniffed from the magic bytes (HEIC/GIF/... refused with their own message);
3. the declared content type against that real format;
4. the header only (lazy open) for the pixel count: decompression bombs are refused here,
   before a single pixel is decoded;
5. JPEG ``draft()`` to the smallest DCT scale that still covers ``long_side`` (2.5x faster than
   a full decode, see shared/PERFORMANCE.md), then ``load()``: truncated or corrupt data fails
   here and is refused (``LOAD_TRUNCATED_IMAGES`` is never set). A JPEG cut short and closed
   with an end-of-image marker would decode "successfully" (libjpeg only warns, and greys out
   the rest): the decoder is given the scan without the marker that ends it, so it can only
   finish when the data reaches the last MCU (see :func:`_whole_scan`);
6. ``thumbnail()`` to ``long_side``, then the EXIF orientation (cheap on the small image),
   RGB with alpha flattened onto white;
7. perceptual hash of this normalised image (its upper 70 %), evidence stamp burnt in, JPEG
   encoded with no metadata at all (no EXIF, GPS, XMP, ICC or comment), thumbnail made from
   the stamped image.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import operator
import re
import statistics
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

import pylopdf_fonts_zh_cn
from PIL import (
    ExifTags,
    Image,
    ImageDraw,
    ImageFile,
    ImageFont,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from models.refused import Refused

RejectionCode = Literal[
    "not_an_image",
    "unsupported_format",
    "corrupt_image",
    "too_many_bytes",
    "too_many_pixels",
    "content_type_mismatch",
]
REJECTION_CODES: tuple[RejectionCode, ...] = (
    "not_an_image",
    "unsupported_format",
    "corrupt_image",
    "too_many_bytes",
    "too_many_pixels",
    "content_type_mismatch",
)

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# What clients actually send; image/jpg and image/pjpeg are common non-standard spellings.
_FORMAT_OF_CONTENT_TYPE = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}
_UNDECLARED_CONTENT_TYPES = ("", "application/octet-stream")

# Both the stored image and the thumbnail are always JPEG.
OUTPUT_CONTENT_TYPE = "image/jpeg"

# Two photos whose hashes differ in at most this many of the 64 bits are treated as the same
# picture. Measured on photo-like test images (1200x900): re-encoding at quality 40-90 and
# resizing to 50-95 % moved the hash by 0-2 bits, a stamped copy sent again by 0-2, +20 %
# brightness or contrast by 0-6, a 2 % crop on every side by 2-6 (a 2 degree rotation by up to
# 14: not covered); unrelated pictures were 22-40 bits apart, mean 31 (for independent bits
# the chance of <= 6 is ~5e-12). Photos of the same patrol point taken from the same spot can
# legitimately come close, so a match means "flag for review", not "reject".
REUSE_MAX_DISTANCE = 6

_ACCEPTED_TEXT = "JPEG, PNG or WebP"


@dataclass(frozen=True)
class ImageLimits:
    """What an upload may be, and what it becomes. ``max_pixels`` is the only pixel limit:
    Pillow's own ``Image.MAX_IMAGE_PIXELS`` check is never reached (see ``_OPENERS``)."""

    max_bytes: int = 15_000_000
    max_pixels: int = 50_000_000
    long_side: int = 1600
    thumb_side: int = 320
    quality: int = 82

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "long_side", "thumb_side"):
            if getattr(self, name) <= 0:
                raise ValueError(f"ImageLimits.{name} must be positive")
        if not 1 <= self.quality <= 95:
            raise ValueError("ImageLimits.quality must be between 1 and 95")


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes = field(repr=False)  # JPEG, oriented, at most long_side, stamped, no metadata
    thumbnail: bytes = field(repr=False)  # JPEG, at most thumb_side, made from `image`
    width: int  # of `image`
    height: int
    original_format: str  # one of ACCEPTED_FORMATS
    captured_at: datetime | None  # EXIF DateTimeOriginal; aware only if the camera gave an offset
    sha256: str  # hex digest of the uploaded bytes, for exact-duplicate detection
    phash: int  # perceptual hash, see perceptual_hash()


def process_photo(
    data: bytes,
    *,
    declared_content_type: str | None,
    stamp_lines: list[str],
    limits: ImageLimits = ImageLimits(),  # noqa: B008 - frozen, so one shared default is safe
) -> ProcessedPhoto:
    """Validate, normalise and stamp one uploaded photo.

    Raises :class:`models.refused.Refused` for anything that is not an acceptable photo; any other
    exception is a bug. ``declared_content_type`` None or ``application/octet-stream`` means
    the client did not say.
    """
    if len(data) > limits.max_bytes:
        raise Refused(
            "too_many_bytes",
            f"The file is {_megabytes(len(data))} MB; photos may be at most "
            f"{_megabytes(limits.max_bytes)} MB.",
        )
    image_format = _sniff_format(data)
    _check_declared_type(declared_content_type, image_format)

    im = _open_lazily(data, image_format)
    width, height = im.size
    if width * height > limits.max_pixels:
        raise Refused(
            "too_many_pixels",
            f"The image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"photos may have at most {limits.max_pixels / 1e6:.0f} megapixels.",
        )

    if image_format == "JPEG":
        im = _open_lazily(_whole_scan(data), image_format)  # the same header, a checked scan
    im = _decode_downscaled(im, image_format, limits.long_side)
    orientation, captured_at = _read_exif(im)
    im = _apply_orientation(im, orientation)
    im = _to_rgb(im)

    phash = perceptual_hash(im)  # before the stamp: the same scene stamped twice must match
    _burn_in_stamp(im, stamp_lines, limits.thumb_side)
    image_bytes = _encode_jpeg(im, limits.quality)

    thumb = im.copy()
    thumb.thumbnail((limits.thumb_side, limits.thumb_side), Image.Resampling.LANCZOS)
    thumb_bytes = _encode_jpeg(thumb, limits.quality)

    return ProcessedPhoto(
        image=image_bytes,
        thumbnail=thumb_bytes,
        width=im.width,
        height=im.height,
        original_format=image_format,
        captured_at=captured_at,
        sha256=hashlib.sha256(data).hexdigest(),
        phash=phash,
    )


# --- validation -------------------------------------------------------------------------


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f}".removesuffix(".0")


# ISO-BMFF brands (bytes 8-12, after "ftyp") of still-image files from phone cameras.
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs")
_HEIF_BRANDS += (b"mif1", b"msf1")  # generic HEIF brands, also used by some AVIF files
_AVIF_BRANDS = (b"avif", b"avis")
# Other image formats people try to upload: refused as "unsupported", not "not an image".
_OTHER_IMAGE_MAGIC = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JPEG XL"),
    (b"\xff\x0a", "JPEG XL"),
    (b"8BPS", "Photoshop"),
)


def _sniff_format(data: bytes) -> str:
    """The real format from the first bytes, whatever the file name or content type says."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = head[8:box_size]  # major brand, minor version, compatible brands
        if head[8:12] in _AVIF_BRANDS or (head[8:12] in _HEIF_BRANDS and b"avif" in brands):
            raise Refused(
                "unsupported_format",
                f"AVIF images are not accepted. Please send the photo as {_ACCEPTED_TEXT}.",
            )
        if head[8:12] in _HEIF_BRANDS:
            raise Refused(
                "unsupported_format",
                "HEIC/HEIF photos are not accepted. Switch the camera to JPEG: on iPhone, "
                "Settings > Camera > Formats > 'Most Compatible'; on Android, turn off the "
                f"camera's HEIF / 'save space' option. Accepted formats: {_ACCEPTED_TEXT}.",
            )
    for magic, name in _OTHER_IMAGE_MAGIC:
        if head.startswith(magic):
            raise Refused(
                "unsupported_format",
                f"{name} images are not accepted. Please send the photo as {_ACCEPTED_TEXT}.",
            )
    raise Refused(
        "not_an_image",
        f"The file is not an image. Please send a photo as {_ACCEPTED_TEXT}.",
    )


def _check_declared_type(declared: str | None, image_format: str) -> None:
    if declared is None:
        return
    content_type = declared.split(";", 1)[0].strip().lower()
    if content_type in _UNDECLARED_CONTENT_TYPES:
        return
    if _FORMAT_OF_CONTENT_TYPE.get(content_type) != image_format:
        raise Refused(
            "content_type_mismatch",
            f"The file was sent as {content_type!r} but it is a {image_format} image "
            f"({CONTENT_TYPES[image_format]}).",
        )


# The plugin classes are used instead of Image.open(): Image.open() runs Pillow's own
# decompression-bomb check, which emits a DecompressionBombWarning (a process-wide side effect,
# and an error under `-W error`) or raises before our own, lower, pixel limit can refuse the
# file with our code. The format is already known from the magic bytes, so nothing is lost.
_OPENERS: dict[str, type[ImageFile.ImageFile]] = {
    "JPEG": JpegImagePlugin.JpegImageFile,  # an MPO (multi-picture) file opens as its first image
    "PNG": PngImagePlugin.PngImageFile,
    "WEBP": WebPImagePlugin.WebPImageFile,
}

# What Pillow raises for bytes it cannot parse or decode.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)


def _corrupt() -> Refused:
    return Refused(
        "corrupt_image",
        "The image is damaged or incomplete (was the upload interrupted?). "
        "Please take or send the photo again.",
    )


def _open_lazily(data: bytes, image_format: str) -> ImageFile.ImageFile:
    """Parse the header only: format, size and metadata, no pixels."""
    try:
        return _OPENERS[image_format](io.BytesIO(data))
    except _DECODE_ERRORS as e:
        raise _corrupt() from e


# --- a JPEG's scans reach their end -----------------------------------------------------
#
# libjpeg treats a marker met inside a scan's entropy-coded data as the end of the data: it
# warns (Pillow discards warnings) and decodes the missing MCUs as zeros, i.e. flat grey. So a
# file cut short and closed with FF D9, or with FF D9 written into its middle, "decodes". What
# it cannot do is finish without data: fed a scan with no marker after it, the decoder asks for
# more bytes until it has decoded the last MCU, and Pillow refuses a file that ends first
# ("image file is truncated"). The scan is therefore decoded without its closing marker, in
# the one decode the pipeline does anyway.

# Start of frame: every SOFn (C0-CF) but DHT (C4), JPG (C8) and DAC (CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESSIVE_SOF = frozenset((0xC2, 0xC6, 0xCA, 0xCE))
_SOS, _EOI = 0xDA, 0xD9
# The end of entropy-coded data: the first 0xFF that is neither a stuffed 0xFF byte (FF 00), a
# restart marker (FF D0-D7) nor a fill byte before a marker (FF FF).
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# What the decoder gets after the scan instead of its marker. libjpeg reads up to 8 bytes ahead
# of the bits it needs, so a whole scan needs 8 more bytes to finish; they are 0xFF data bytes
# (stuffed FF 00): all-ones is no Huffman code, so in a scan cut short they complete at most
# about one more block instead of standing in for the missing MCUs.
_SCAN_PADDING = b"\xff\x00" * 8


@dataclass(frozen=True)
class _Scan:
    components: tuple[int, ...]
    first: int  # spectral selection Ss..Se (0..63 in a sequential scan)
    last: int
    low_bit: int  # successive approximation Al: 0 once a coefficient's last bit is in
    end: int  # where its entropy-coded data ends (the closing marker, or the file's end)


def _whole_scan(data: bytes) -> bytes:
    """The bytes to decode a JPEG from: for a single sequential scan (what cameras write) the
    file up to the end of its scan data, without the marker that closes it, so the decoder
    only finishes when the scan reaches the last MCU; for progressive and multi-scan files
    (decoded only after their end-of-image marker) the file as it is, once every component's
    every coefficient is seen to be sent down to its last bit. Refused as corrupt otherwise.

    What this cannot see: the final scan of a progressive or multi-scan file cut short (what
    the earlier scans sent stays: in a progressive file the whole picture, less its finest
    detail), and a cut in the last few dozen bytes of a sequential scan (the padding may
    complete the last blocks, at the bottom right, under the stamp). Costs ~2 ms on a 4 MB
    photo (one regular-expression pass and one copy), no second decode."""
    try:
        progressive, components, scans = _jpeg_scans(data)
    except (IndexError, ValueError) as e:
        raise _corrupt() from e
    coefficients = {c: [None] * 64 for c in components}
    for scan in scans:
        for c in scan.components:
            if c not in coefficients:
                raise _corrupt()
            span = range(scan.first, scan.last + 1) if progressive else range(64)
            for k in span:
                coefficients[c][k] = scan.low_bit if progressive else 0
    if not scans or any(bit != 0 for bits in coefficients.values() for bit in bits):
        raise _corrupt()  # scans missing: the file ended (or was closed) before them
    if progressive or len(scans) > 1:
        return data
    return b"".join((memoryview(data)[: scans[0].end], _SCAN_PADDING))


def _jpeg_scans(data: bytes) -> tuple[bool, list[int], list[_Scan]]:
    """Read a JPEG's markers as libjpeg does, up to its first end-of-image marker: whether the
    frame is progressive, its component ids and its scans. IndexError or ValueError when the
    markers do not fit in the file."""
    n = len(data)
    pos = 2  # after SOI
    frame: tuple[bool, list[int]] | None = None
    scans: list[_Scan] = []
    while True:
        marker, pos = _next_marker(data, pos)
        if marker is None or marker == _EOI:
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # TEM, RSTn, SOI: no segment
            continue
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > n:
            raise ValueError("a segment runs past the end of the file")
        segment = data[pos + 2 : pos + length]
        pos += length
        if marker in _SOF_MARKERS:
            count = segment[5]
            frame = (marker in _PROGRESSIVE_SOF, [segment[6 + 3 * i] for i in range(count)])
        elif marker == _SOS:
            if frame is None:
                raise ValueError("a scan before the frame header")
            scans.append(_scan_header(data, segment, pos))
            pos = scans[-1].end
    if frame is None:
        raise ValueError("no frame header")
    return frame[0], frame[1], scans


def _next_marker(data: bytes, pos: int) -> tuple[int | None, int]:
    """The next marker's code at or after ``pos`` and the position after it (None at the end
    of the file). libjpeg skips stray bytes before a marker, with a warning, and fill bytes."""
    n = len(data)
    pos = data.find(b"\xff", pos)
    if pos < 0:
        return None, n
    while pos < n and data[pos] == 0xFF:
        pos += 1
    if pos >= n:
        return None, n
    return data[pos], pos + 1


def _scan_header(data: bytes, segment: bytes, pos: int) -> _Scan:
    """A start-of-scan segment read: its components, spectral range and approximation, and
    where its entropy-coded data ends (the next marker that is not a restart or fill)."""
    count = segment[0]
    first, last, approximation = segment[1 + 2 * count : 4 + 2 * count]
    match = _SCAN_END.search(data, pos)
    return _Scan(
        tuple(segment[1 + 2 * i] for i in range(count)),
        first,
        min(last, 63),
        approximation & 0x0F,
        match.start() if match else len(data),
    )


# --- decoding and normalising -----------------------------------------------------------


def _draft_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The size the image will be scaled to, rounded up so draft() never goes below it."""
    width, height = size
    scale = long_side / max(width, height)
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _decode_downscaled(im: Image.Image, image_format: str, long_side: int) -> Image.Image:
    if image_format == "JPEG":
        # The aspect-correct target matters: draft() picks the DCT scale from the smaller of
        # width // w and height // h, so (1600, 1600) would not reduce a 4000x3000 photo at all.
        im.draft("RGB", _draft_size(im.size, long_side))
    try:
        im.load()
    except _DECODE_ERRORS as e:
        raise _corrupt() from e

    # Modes that would be resized badly: palette and 1-bit images with NEAREST only, 16-bit
    # greyscale clipped (not scaled) to 8 bits.
    if (im.mode == "P" and "transparency" in im.info) or im.mode == "PA":
        im = im.convert("RGBA")
    elif im.mode in ("P", "1"):
        im = im.convert("RGB")
    elif im.mode.startswith("I"):
        im = im.point(lambda v: v / 257).convert("L")

    im.thumbnail((long_side, long_side), Image.Resampling.BICUBIC)
    return im


# EXIF orientation -> the transpose that shows the picture upright (as ImageOps.exif_transpose).
_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _read_exif(im: Image.Image) -> tuple[int, datetime | None]:
    """Orientation (1 = as stored) and capture time. Broken EXIF never rejects a photo."""
    try:
        exif = im.getexif()
        orientation = exif.get(ExifTags.Base.Orientation, 1)
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
        captured_at = _parse_exif_datetime(
            exif_ifd.get(ExifTags.Base.DateTimeOriginal),
            exif_ifd.get(ExifTags.Base.OffsetTimeOriginal),
        )
        if orientation not in _ORIENTATION_TRANSPOSE:
            orientation = 1
    except Exception:  # EXIF is untrusted bytes from any phone; Pillow may raise many things
        return 1, None
    return orientation, captured_at


_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def _parse_exif_datetime(value: object, offset: object) -> datetime | None:
    """'2026:11:23 08:31:05' (+ '+08:00') -> datetime, aware only when the offset is given."""
    if not isinstance(value, str):
        return None
    try:
        taken = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # empty, "0000:00:00 00:00:00", or garbage
        return None
    if isinstance(offset, str) and (match := _EXIF_OFFSET.fullmatch(offset.strip("\x00 "))):
        sign = -1 if match[1] == "-" else 1
        try:
            tz = timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))
        except ValueError:  # outside +-24h
            return taken
        return taken.replace(tzinfo=tz)
    return taken


def _apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    if orientation == 1:
        return im
    return im.transpose(_ORIENTATION_TRANSPOSE[orientation])


def _to_rgb(im: Image.Image) -> Image.Image:
    """RGB, with any transparency flattened onto white (a transparent PNG would be black)."""
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return im.convert("RGB")  # L, CMYK (Adobe JPEG), YCbCr


def _encode_jpeg(im: Image.Image, quality: int) -> bytes:
    # Pillow copies a JPEG comment from im.info into the file; the output must carry no
    # metadata at all (EXIF with GPS, XMP, ICC, comments), so give it none.
    im.info = {}
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# --- evidence stamp ---------------------------------------------------------------------

# Text height in the thumbnail, in pixels: about the smallest at which Chinese characters stay
# readable. On a 1600 px photo with a 320 px thumbnail this is 60 px text.
_STAMP_TEXT_PX_IN_THUMBNAIL = 12
_STAMP_MIN_TEXT_PX = 10
# The band never covers more than this share of the photo's height: more or longer lines are
# set smaller. The perceptual hash ignores this bottom strip (see perceptual_hash()).
STAMP_BAND_MAX_SHARE = 0.3
# The band darkens what is under it to 40 %: a 60 % black overlay. White text on it stays
# readable even over a white wall, and the scene stays visible through it.
_BAND_LUT = [round(v * 0.4) for v in range(256)] * 3
_STAMP_TEXT_COLOUR = (255, 255, 255)


def font_path() -> Path:
    """Noto Sans SC Regular (SIL OFL 1.1), from the pylopdf-fonts-zh-cn package.

    It covers Simplified Chinese (GB 18030), Latin, digits and common punctuation, so other
    parts of the app (QR labels, reports) can use it for Chinese text too.
    """
    return Path(pylopdf_fonts_zh_cn.sans_path())


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # Loaded once per size and process. Chinese and Latin need no shaping, so the basic layout
    # is used: faster, and the same whether or not libraqm is installed. (A shared FT_Face is
    # safe here because Pillow holds the GIL while it renders.)
    return ImageFont.truetype(font_path(), size, layout_engine=ImageFont.Layout.BASIC)


# Latin words, numbers and times stay whole when a line is wrapped; any other character
# (a Chinese character, a separator) may end a line.
_WRAP_TOKEN = re.compile(r"[0-9A-Za-z_.,:+\-/#()]+ ?|.", re.DOTALL)


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for token in _WRAP_TOKEN.findall(text):
        if current and font.getlength(current + token) > max_width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    while text and font.getlength(text + "…") > max_width:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class _StampLayout:
    font: ImageFont.FreeTypeFont
    pad: int
    line_height: int
    lines: list[str]

    @property
    def band_height(self) -> int:
        return 2 * self.pad + len(self.lines) * self.line_height


def _layout_stamp(lines: list[str], size: tuple[int, int], thumb_side: int) -> _StampLayout:
    """Text sized for the thumbnail (which is made from the stamped image), wrapped to the
    width, and set smaller only if the band would be taller than STAMP_BAND_MAX_SHARE."""
    width, height = size
    max_band_height = max(1, int(height * STAMP_BAND_MAX_SHARE))
    thumb_scale = min(1.0, thumb_side / max(width, height))
    text_px = max(_STAMP_MIN_TEXT_PX, round(_STAMP_TEXT_PX_IN_THUMBNAIL / thumb_scale))
    while True:
        font = _font(text_px)
        pad = round(text_px * 0.5)
        max_text_width = max(1, width - 2 * pad)
        wrapped = [part for line in lines for part in _wrap(line, font, max_text_width)]
        layout = _StampLayout(font, pad, round(text_px * 1.3), wrapped)
        if layout.band_height <= max_band_height or text_px == _STAMP_MIN_TEXT_PX:
            break
        text_px = max(_STAMP_MIN_TEXT_PX, text_px * 7 // 8)

    # Still too tall at the smallest size (a tiny image or a very long text): cut it short.
    max_lines = max(1, (max_band_height - 2 * pad) // layout.line_height)
    if len(wrapped) > max_lines:
        wrapped = wrapped[:max_lines]
        wrapped[-1] = _ellipsize(wrapped[-1], font, max_text_width)
        layout = _StampLayout(font, pad, layout.line_height, wrapped)
    return layout


def _burn_in_stamp(im: Image.Image, stamp_lines: list[str], thumb_side: int) -> None:
    """Draw the lines in white on a dark band across the bottom of ``im``, in place."""
    lines = [part.strip() for line in stamp_lines for part in line.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return
    layout = _layout_stamp(lines, im.size, thumb_side)
    width, height = im.size
    top = max(0, height - layout.band_height)
    # Darkening a crop through a lookup table costs ~1 ms; an RGBA overlay composited over
    # the band would cost several times that.
    band = im.crop((0, top, width, height)).point(_BAND_LUT)
    draw = ImageDraw.Draw(band)
    for i, text in enumerate(layout.lines):
        middle = layout.pad + i * layout.line_height + layout.line_height // 2
        draw.text(
            (layout.pad, middle), text, font=layout.font, fill=_STAMP_TEXT_COLOUR, anchor="lm"
        )
    im.paste(band, (0, top))


# --- perceptual hash --------------------------------------------------------------------

_PHASH_SIZE = 32  # the picture is reduced to 32x32 grey
_PHASH_KEEP = 8  # and the 8x8 lowest frequencies of its DCT are kept: 64 bits
_DCT_COS = [
    [math.cos(math.pi * (2 * x + 1) * k / (2 * _PHASH_SIZE)) for x in range(_PHASH_SIZE)]
    for k in range(_PHASH_KEEP)
]
_MASK64 = (1 << 64) - 1


def _dot(a: list[float] | bytes, b: list[float]) -> float:
    return sum(map(operator.mul, a, b))


def perceptual_hash(im: Image.Image) -> int:
    """DCT pHash of the top 70 % of the picture: ``imagehash.phash`` (hash_size=8) in pure Python.

    The bottom STAMP_BAND_MAX_SHARE of the picture is left out because that is where evidence
    stamps sit: ours, or a watermark-camera app's. So a stamped photo downloaded from the app
    and uploaded again still matches its original (with the whole picture they drifted 4-18
    bits apart; unrelated photos stay ~32 bits apart either way).

    The region is reduced to 32x32 greyscale (LANCZOS), a 2-D DCT-II is taken, and each of the
    8x8 lowest-frequency coefficients (row-major, vertical frequency first, DC included)
    gives one bit: 1 if above their median. The first bit is the most significant.

    Returned as a *signed* 64-bit integer (two's complement) so that it fits a BIGINT or
    SQLite INTEGER column as is; compare hashes with :func:`hamming`. About 2 ms.
    """
    region = (0, 0, im.width, max(1, round(im.height * (1 - STAMP_BAND_MAX_SHARE))))
    grey = im.convert("L").resize(
        (_PHASH_SIZE, _PHASH_SIZE), Image.Resampling.LANCZOS, box=region, reducing_gap=4.0
    )
    pixels = grey.tobytes()
    rows = [pixels[y * _PHASH_SIZE : (y + 1) * _PHASH_SIZE] for y in range(_PHASH_SIZE)]
    # Separable DCT: the 8 lowest horizontal frequencies of each row, then of each column.
    row_dct = [[_dot(row, cos_u) for cos_u in _DCT_COS] for row in rows]
    columns = [[row_dct[y][u] for y in range(_PHASH_SIZE)] for u in range(_PHASH_KEEP)]
    coefficients = [
        _dot(columns[u], _DCT_COS[v]) for v in range(_PHASH_KEEP) for u in range(_PHASH_KEEP)
    ]
    median = statistics.median(coefficients)
    value = 0
    for c in coefficients:
        value = (value << 1) | (c > median)
    return value - (1 << 64) if value >= 1 << 63 else value


def hamming(a: int, b: int) -> int:
    """How many of the 64 bits differ between two perceptual hashes (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()
