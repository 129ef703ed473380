"""Signed QR codes for patrol checkpoints and greeting posts (one signer for every code).

A printed code carries a short token::

    {kind}{site_id}.{object_id}.{key_version}.{signature}      e.g. c12.345.1.Xb3...(22 chars)

``kind`` is one letter (``c`` checkpoint, ``p`` greeting post). The signature is
HMAC-SHA256 under the site's secret key over the canonical message
``xunjian-qr:v1:{kind}:{site_id}:{object_id}:{key_version}``, truncated to 16 bytes and written
in base64url without padding (22 characters). The prefix and the kind in the message keep a
checkpoint's signature from ever being valid for a post with the same numbers, or for any other
use of the key.

Why 128 bits of signature are enough: without the site's 256-bit key the best a forger can do is
guess, and every guess is a scan sent to our server (there is no offline check), where each try
succeeds with probability 2**-128. Truncating HMAC is allowed down to half the hash length (RFC
2104 section 5) and NIST SP 800-107 treats a t-bit HMAC tag as t bits of forgery resistance.
Birthday bounds do not apply: the forger needs a tag for one chosen message, not any collision.
A shorter token keeps the QR code at a low version (fewer, larger modules) so that it still scans
from a small printed label.

What the caller (the scan endpoint) does, in this order:

1. ``parse_token(text)``: ``TokenError("malformed")`` for anything that is not exactly a token
   (the text is attacker-controlled; nothing is trusted before the signature is checked).
2. Compare ``token.site_id`` with the site the guard or manager is working at: a code of site A
   is refused at site B (and would not verify with site B's key anyway).
3. Find the site's key of version ``token.key_version``. A version the site never had is a
   forgery. A version older than the current one means the site was re-keyed after the label
   was printed: if the old key is still kept, verify with it and then answer "outdated label,
   reprint it" rather than "forged"; without the old key the two cannot be told apart. Either
   way an outdated label is never accepted.
4. ``verify_token(token, secret_of_that_version)``: ``TokenError("forged")`` when the signature
   is wrong.
5. Only then look up the checkpoint or post ``token.object_id`` of that kind within that site.

Re-keying a site (``new_site_secret()`` and key version + 1) invalidates every old print.

The same URL (``scan_url``) can be written to NFC stickers: ``ndef_uri_record`` makes the NDEF
message for NTAG213/215/216 tags.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

KINDS = {"c": "checkpoint", "p": "post"}

SIGNATURE_BYTES = 16  # 128 bits, see the module docstring
SIGNATURE_CHARS = 22  # base64url of 16 bytes, without padding
SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
# Ids and key versions fit a signed 64-bit database column.
MAX_NUMBER = 2**63 - 1
# The longest real token is 1 + 19 + 1 + 19 + 1 + 19 + 1 + 22 = 83 characters.
MAX_TOKEN_LENGTH = 100
# A full scan URL: the token, a host name and the /s/ path. Anything longer is not ours.
MAX_TEXT_LENGTH = 256

# ASCII digits only (``\d`` would also accept "１２" and other Unicode digits) and no leading
# zeros, so that every value has exactly one spelling and one token.
_NUMBER = r"(0|[1-9][0-9]{0,18})"
_TOKEN_RE = re.compile(
    rf"([cp]){_NUMBER}\.{_NUMBER}\.{_NUMBER}\.([A-Za-z0-9_-]{{{SIGNATURE_CHARS}}})", re.ASCII
)
# Printable ASCII without the space: what a URL from our own labels consists of.
_URL_CHARS_RE = re.compile(r"[!-~]+", re.ASCII)

# NFC Forum URI Record Type Definition: identifier codes that abbreviate the URI's start.
_URI_PREFIXES = (("https://", 0x04), ("http://", 0x03))
# NTAG213 has 144 bytes of user memory. The NDEF message sits in a TLV (type 0x03, one length
# byte, the message, terminator 0xFE), so a message of at most 141 bytes fits.
NTAG213_USER_BYTES = 144
NDEF_TLV_OVERHEAD = 3

TokenErrorCode = Literal["malformed", "forged"]


class TokenError(ValueError):
    """A scanned code that is refused. ``code`` is stable: ``malformed`` or ``forged``."""

    def __init__(self, code: TokenErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class QrToken:
    kind: str  # a key of KINDS
    site_id: int
    object_id: int  # the checkpoint's or the post's id
    key_version: int
    signature: str  # base64url, 22 characters

    def __str__(self) -> str:
        return f"{self.kind}{self.site_id}.{self.object_id}.{self.key_version}.{self.signature}"


def make_token(kind: str, site_id: int, object_id: int, key_version: int, secret: bytes) -> str:
    """The signed token for one checkpoint (kind "c") or greeting post (kind "p")."""
    if kind not in KINDS:
        raise ValueError(f"unknown QR kind {kind!r}; expected one of {sorted(KINDS)}")
    for name, value in (
        ("site_id", site_id),
        ("object_id", object_id),
        ("key_version", key_version),
    ):
        # bool is an int subclass: True would silently become 1.
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_NUMBER:
            raise ValueError(f"{name} must be an integer from 0 to {MAX_NUMBER}, got {value!r}")
    signature = _signature(kind, site_id, object_id, key_version, secret)
    return str(QrToken(kind, site_id, object_id, key_version, signature))


def parse_token(text: str) -> QrToken:
    """Read a token, bare or as the last path segment of a scan URL; nothing is verified yet.

    Accepted: ``c12.345.1.<sig>``, ``https://host/s/c12.345.1.<sig>``, the same with a trailing
    slash, a query string or a fragment. Anything else raises ``TokenError("malformed")``.
    """
    if not isinstance(text, str) or not text or len(text) > MAX_TEXT_LENGTH:
        raise TokenError("malformed", "not a Xunjian QR code")
    if not _URL_CHARS_RE.fullmatch(text):
        raise TokenError("malformed", "not a Xunjian QR code: unexpected characters")
    candidate = _last_path_segment(text) if "/" in text else text
    if len(candidate) > MAX_TOKEN_LENGTH:
        raise TokenError("malformed", "not a Xunjian QR code: too long")
    match = _TOKEN_RE.fullmatch(candidate)
    if match is None:
        raise TokenError("malformed", "not a Xunjian QR code")
    kind, site, obj, version, signature = match.groups()
    numbers = int(site), int(obj), int(version)
    if max(numbers) > MAX_NUMBER:
        raise TokenError("malformed", "not a Xunjian QR code: number out of range")
    return QrToken(kind, *numbers, signature)


def verify_token(token: QrToken, secret: bytes) -> None:
    """Raise ``TokenError("forged")`` unless the token was signed with this site secret."""
    expected = _signature(token.kind, token.site_id, token.object_id, token.key_version, secret)
    # Constant time, so response timing reveals nothing about how much of a guess was right.
    # The base64 texts are compared, not the decoded bytes: base64 decoders ignore the unused
    # low bits of the last character, which would give a second valid spelling of a signature.
    if not hmac.compare_digest(expected, token.signature):
        raise TokenError("forged", "this QR code was not issued for this site")


def scan_url(base_url: str, token: str) -> str:
    """The URL printed in the QR code: a phone camera opens it, the server hands it to the app."""
    return f"{base_url.rstrip('/')}/s/{token}"


def new_site_secret() -> bytes:
    """A new random signing key for a site (32 bytes)."""
    return secrets.token_bytes(SECRET_BYTES)


def ndef_uri_record(url: str) -> bytes:
    """An NDEF message holding one URI record for ``url``, to write to an NFC sticker.

    One short record (header 0xD1: message begin, message end, short record, TNF 0x01 well
    known), type ``U``, payload = URI identifier code + the rest of the URI in UTF-8, with
    "https://" abbreviated to 0x04 and "http://" to 0x03 (0x00: no abbreviation).

    An NTAG213 has 144 bytes of user memory, of which the NDEF TLV takes 3 (see
    ``NTAG213_USER_BYTES``): a scan URL of up to about 130 characters fits. NTAG215 (504 bytes)
    and NTAG216 (888 bytes) hold much more.
    """
    code, rest = 0x00, url
    for prefix, prefix_code in _URI_PREFIXES:
        if url.startswith(prefix):
            code, rest = prefix_code, url[len(prefix) :]
            break
    payload = bytes([code]) + rest.encode("utf-8")
    if len(payload) > 255:
        # A short record has a one-byte payload length; such a URL would not fit an NTAG213 either.
        raise ValueError(f"URL too long for an NDEF short record ({len(payload)} bytes)")
    header = 0x80 | 0x40 | 0x10 | 0x01  # MB | ME | SR | TNF well-known = 0xD1
    return bytes([header, 1, len(payload)]) + b"U" + payload


def _signature(kind: str, site_id: int, object_id: int, key_version: int, secret: bytes) -> str:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        # A missing or empty key must never sign or verify anything.
        raise ValueError(f"a site secret must be at least {MIN_SECRET_BYTES} bytes")
    message = f"xunjian-qr:v1:{kind}:{site_id}:{object_id}:{key_version}".encode("ascii")
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _last_path_segment(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket in the host
        raise TokenError("malformed", "not a Xunjian QR code: not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TokenError("malformed", "not a Xunjian QR code: not an http(s) URL")
    path = parts.path.removesuffix("/")
    return path.rpartition("/")[2]
