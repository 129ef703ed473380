"""Reading a scanned label (QR code or NFC tag): one verification for patrol checkpoints
(kind "c") and greeting posts (kind "p"), in the order models/rules/qr_signing.py gives.

A refusal is a :class:`models.refused.Refused` whose reason and message are the ones each kind
of scan has always answered with (the scan outcomes carry the Chinese half apart)."""

from models.refused import Refused
from models.rules.qr_signing import QrToken, TokenError, parse_token, verify_token
from models.tables.site_keys import key_secret, newest_version

# Per kind of label, per reason: (English, Chinese). The greeting check answers the English
# alone (api/messages.py gives its Chinese by the reason code).
LABEL_MESSAGES = {
    "c": {
        "malformed": ("This is not a patrol code of ours.", "这不是本系统的巡更码。"),
        "forged": ("This code's signature is not valid.", "此巡更码签名无效。"),
        "outdated_label": (
            "This label was replaced; ask your supervisor for the new one.",
            "此标签已作废（已更换新码），请联系主管更换。",
        ),
        "other_site": ("This label belongs to another site.", "此标签属于其他项目。"),
        "wrong_kind": ("This code is not a patrol checkpoint.", "此码不是巡更点。"),
        "unknown": ("This checkpoint does not exist or was retired.", "巡更点不存在或已停用。"),
    },
    "p": {
        "malformed": ("This is not a greeting post code of ours.", ""),
        "forged": ("This code's signature is not valid.", ""),
        "outdated_label": ("This label was replaced; ask for the new one.", ""),
        "other_site": ("This post belongs to another site.", ""),
        "wrong_kind": ("This code is not a greeting post.", ""),
        "unknown": ("This post does not exist or was retired.", ""),
    },
}
# The reasons that name the kind: a code of the other kind, and a label of nothing active.
KIND_REASONS = {
    "c": {"wrong_kind": "not_a_checkpoint", "unknown": "unknown_checkpoint"},
    "p": {"wrong_kind": "not_a_post", "unknown": "unknown_post"},
}


def label_messages(kind: str) -> dict[str, tuple[str, str]]:
    """Every refusal of a label of this kind: reason code -> (English, Chinese)."""
    names = KIND_REASONS[kind]
    return {names.get(key, key): text for key, text in LABEL_MESSAGES[kind].items()}


def label_refused(kind: str, key: str) -> Refused:
    english, chinese = LABEL_MESSAGES[kind][key]
    return Refused(KIND_REASONS[kind].get(key, key), english, message_zh=chinese)


def read_label(payload: str, kind: str, site_ids: list[int] | None) -> QrToken:
    """The token of a scanned code naming an object of this kind at one of the caller's sites
    (None: any site), not verified yet; else Refused (malformed, not_a_…, other_site)."""
    try:
        token = parse_token(payload)
    except TokenError as bad:
        raise label_refused(kind, "malformed") from bad
    if token.kind != kind:
        raise label_refused(kind, "wrong_kind")
    if site_ids is not None and token.site_id not in site_ids:
        raise label_refused(kind, "other_site")
    return token


def verify_label(token: QrToken, found, current_version: int | None = None) -> int:
    """The key version of a token signed with its site's key, of that site's current version
    (``current_version``, read here when None), naming ``found``, the checkpoint or post the
    caller looked up by the token's object and site (None: there is none), which is active;
    else Refused (forged, outdated_label, unknown_…)."""
    secret = key_secret(token.site_id, token.key_version)
    try:
        if secret is None:
            raise TokenError("forged", "no such key")
        verify_token(token, secret)
    except TokenError as bad:
        raise label_refused(token.kind, "forged") from bad
    if current_version is None:
        current_version = newest_version(token.site_id)
    if token.key_version != current_version:
        raise label_refused(token.kind, "outdated_label")
    if found is None or not found.active:
        raise label_refused(token.kind, "unknown")
    return token.key_version
