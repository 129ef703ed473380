"""The QR signer: token format, forgery and malformed input, scan URLs, NDEF records."""

import base64
import hashlib
import hmac

import pytest

from models.rules import qr_signing
from models.rules.qr_signing import (
    KINDS,
    NDEF_TLV_OVERHEAD,
    NTAG213_USER_BYTES,
    QrToken,
    TokenError,
    make_token,
    ndef_uri_record,
    new_site_secret,
    parse_token,
    scan_url,
    verify_token,
)

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
BASE = "https://xunjian.hrzx.com.cn"


def token(kind="c", site=12, obj=345, version=1, secret=SECRET):
    return make_token(kind, site, obj, version, secret)


def assert_refused(text_or_token, code, secret=SECRET):
    with pytest.raises(TokenError) as caught:
        parsed = text_or_token if isinstance(text_or_token, QrToken) else parse_token(text_or_token)
        verify_token(parsed, secret)
    assert caught.value.code == code


# --- round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_round_trip(kind):
    text = token(kind, 12, 345, 3)
    parsed = parse_token(text)
    assert (parsed.kind, parsed.site_id, parsed.object_id, parsed.key_version) == (
        kind,
        12,
        345,
        3,
    )
    verify_token(parsed, SECRET)  # does not raise
    assert str(parsed) == text


def test_token_format_matches_the_documented_hmac():
    text = token("c", 12, 345, 1)
    message = b"xunjian-qr:v1:c:12:345:1"
    digest = hmac.new(SECRET, message, hashlib.sha256).digest()[:16]
    signature = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert len(signature) == 22
    assert text == f"c12.345.1.{signature}"


def test_only_checkpoint_and_post_codes_are_made_or_read():
    assert {parse_token(token(kind)).kind for kind in ("c", "p")} == {"c", "p"}
    with pytest.raises(ValueError, match="unknown QR kind"):
        token("x")
    # A well-formed token of any other kind is not ours, whatever its signature.
    other = "x" + token("c")[1:]
    with pytest.raises(TokenError) as caught:
        parse_token(other)
    assert caught.value.code == "malformed"


def test_checkpoint_and_post_with_the_same_numbers_have_different_signatures():
    checkpoint = parse_token(token("c"))
    post = parse_token(token("p"))
    assert checkpoint.signature != post.signature
    # A checkpoint's signature moved onto a post token does not verify.
    assert_refused(QrToken("p", 12, 345, 1, checkpoint.signature), "forged")


def test_round_trip_from_scan_url():
    text = token()
    url = scan_url(BASE + "/", text)
    assert url == f"{BASE}/s/{text}"
    verify_token(parse_token(url), SECRET)


@pytest.mark.parametrize(
    "form",
    [
        "{base}/s/{token}",
        "{base}/s/{token}/",
        "{base}/s/{token}?from=camera",
        "{base}/s/{token}/?from=camera&x=1",
        "{base}/s/{token}#top",
        "http://192.168.1.20:8000/s/{token}",
        "HTTPS://XUNJIAN.EXAMPLE.COM/s/{token}",
    ],
)
def test_url_forms_are_accepted(form):
    text = token(obj=77)
    parsed = parse_token(form.format(base=BASE, token=text))
    assert parsed == parse_token(text)


def test_new_site_secret_is_random_and_32_bytes():
    a, b = new_site_secret(), new_site_secret()
    assert isinstance(a, bytes) and len(a) == 32
    assert a != b
    verify_token(parse_token(make_token("p", 1, 2, 1, a)), a)


# --- forged -------------------------------------------------------------------------------


def _change_char(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


@pytest.mark.parametrize("index", [0, 10, 21])
def test_one_changed_signature_character_is_forged(index):
    text = token()
    head, _, signature = text.rpartition(".")
    assert_refused(f"{head}.{_change_char(signature, index)}", "forged")


@pytest.mark.parametrize(
    "tampered",
    [
        "c12.346.1.{sig}",  # object id
        "c12.345.2.{sig}",  # key version
        "c13.345.1.{sig}",  # site id
        "p12.345.1.{sig}",  # kind
        "c1.2345.1.{sig}",  # the same digits, split differently
    ],
)
def test_changed_fields_are_forged(tampered):
    signature = parse_token(token("c", 12, 345, 1)).signature
    assert_refused(tampered.format(sig=signature), "forged")


def test_another_sites_secret_is_forged():
    assert_refused(token(secret=SECRET), "forged", secret=OTHER_SECRET)


def test_non_canonical_last_signature_character_is_forged():
    # 22 base64 characters carry 132 bits for 128: the last character has 4 unused bits, which
    # a base64 decoder ignores. The signature text itself must match, not only its bytes.
    text = token()
    last = text[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = alphabet[alphabet.index(last) ^ 1]
    forged = text[:-1] + sibling
    assert base64.urlsafe_b64decode(forged.rpartition(".")[2] + "==") == base64.urlsafe_b64decode(
        text.rpartition(".")[2] + "=="
    )
    assert_refused(forged, "forged")


def test_verify_compares_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(qr_signing.hmac, "compare_digest", spy)
    parsed = parse_token(token())
    verify_token(parsed, SECRET)
    assert calls == [(parsed.signature, parsed.signature)]
    with pytest.raises(TokenError):
        verify_token(parsed, OTHER_SECRET)
    assert len(calls) == 2


def test_empty_or_short_secret_is_a_programming_error():
    with pytest.raises(ValueError, match="secret"):
        make_token("c", 1, 2, 1, b"")
    with pytest.raises(ValueError, match="secret"):
        verify_token(parse_token(token()), b"short")


# --- malformed ------------------------------------------------------------------------------


def _good():
    return token()


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "c12.345.1",  # no signature
        "{good} ",  # trailing space
        " {good}",
        "{good}\n",
        "c12 .345.1.{sig}",
        "c１２.345.1.{sig}",  # full-width digits
        "c١٢.345.1.{sig}",  # Arabic-Indic digits
        "c12.345.1.{sig}.",  # extra dot
        "c12..345.1.{sig}",
        "c12.345.1.1.{sig}",
        "x12.345.1.{sig}",  # unknown kind
        "C12.345.1.{sig}",  # kinds are lower case
        "12.345.1.{sig}",  # no kind
        "c012.345.1.{sig}",  # leading zero
        "c12.0345.1.{sig}",
        "c12.345.01.{sig}",
        "c-12.345.1.{sig}",
        "c+12.345.1.{sig}",
        "c99999999999999999999.345.1.{sig}",  # 20 digits
        "c9223372036854775808.345.1.{sig}",  # 2**63: past a BIGINT
        "c12.345.1.{short}",  # truncated signature
        "c12.345.1.{sig}A",  # one character too many
        "c12.345.1.{sig_padded}",  # base64 padding
        "c12.345.1.{sig_plus}",  # standard base64, not base64url
        "{good}" + "0" * 200,  # absurd length
        "c" + "1" * 5000 + ".1.1.{sig}",
        "{base}/s/",  # URL without token
        "{base}/s/{good}//",
        "{base}/s/{good}/extra",
        "ftp://xunjian.hrzx.com.cn/s/{good}",
        "javascript:alert(1)//{good}",
        "//xunjian.hrzx.com.cn/s/{good}",  # no scheme
        "/s/{good}",
        "https:///s/{good}",  # no host
        "http://[::1/s/{good}",  # broken IPv6 host
        "{base}/s/c12.345.1.%41{sig_tail}",  # percent-encoding is not decoded
        "{base}/s/{good} ",
    ],
)
def test_malformed(text):
    good = _good()
    sig = good.rpartition(".")[2]
    filled = text.format(
        good=good,
        sig=sig,
        short=sig[:-1],
        sig_padded=sig + "==",
        sig_plus=sig.replace(sig[0], "+"),
        sig_tail=sig[1:],
        base=BASE,
    )
    with pytest.raises(TokenError) as caught:
        parse_token(filled)
    assert caught.value.code == "malformed"


@pytest.mark.parametrize("value", [None, 12, b"c12.345.1.x"])
def test_non_text_is_malformed(value):
    with pytest.raises(TokenError) as caught:
        parse_token(value)
    assert caught.value.code == "malformed"


def test_token_error_is_a_value_error_with_a_stable_code():
    error = TokenError("forged", "nope")
    assert isinstance(error, ValueError)
    assert error.code == "forged"


def test_largest_numbers_round_trip():
    biggest = 2**63 - 1
    verify_token(parse_token(make_token("p", biggest, biggest, biggest, SECRET)), SECRET)
    zero = parse_token(make_token("c", 0, 0, 0, SECRET))
    assert (zero.site_id, zero.object_id, zero.key_version) == (0, 0, 0)


@pytest.mark.parametrize(
    "args",
    [
        ("x", 1, 2, 1),
        ("checkpoint", 1, 2, 1),
        ("c", -1, 2, 1),
        ("c", 1, 2**63, 1),
        ("c", 1, 2, True),
        ("c", "1", 2, 1),
    ],
)
def test_make_token_refuses_bad_values(args):
    with pytest.raises(ValueError):
        make_token(*args, SECRET)


def test_every_made_token_parses():
    for kind in KINDS:
        for number in (0, 1, 9, 10, 2**63 - 1):
            text = make_token(kind, number, number, number, SECRET)
            assert len(text) <= 100
            verify_token(parse_token(text), SECRET)


# --- NDEF -----------------------------------------------------------------------------------


def test_ndef_record_for_https_url():
    url = f"{BASE}/s/{token()}"
    rest = url.removeprefix("https://").encode()
    record = ndef_uri_record(url)
    assert record[0] == 0xD1  # MB, ME, SR, TNF well-known
    assert record[1] == 1  # type length
    assert record[2] == 1 + len(rest)  # payload length: prefix code + the rest of the URI
    assert record[3:4] == b"U"
    assert record[4] == 0x04  # "https://"
    assert record[5:] == rest
    assert len(record) == 4 + 1 + len(rest)


def test_ndef_record_known_bytes():
    assert ndef_uri_record("http://a.cn/s/x") == b"\xd1\x01\x09U\x03a.cn/s/x"
    assert ndef_uri_record("tel:110") == b"\xd1\x01\x08U\x00tel:110"


def test_typical_scan_url_fits_an_ntag213():
    # A long but realistic host, the largest ids of a big company, key version 12.
    url = scan_url(
        "https://xunjian.example-property.com.cn", make_token("c", 9999, 999999, 12, SECRET)
    )
    record = ndef_uri_record(url)
    assert len(record) + NDEF_TLV_OVERHEAD <= NTAG213_USER_BYTES == 144


def test_ndef_record_refuses_a_url_too_long_for_a_short_record():
    with pytest.raises(ValueError, match="too long"):
        ndef_uri_record("https://example.com/" + "a" * 300)
