"""The address printed on labels (issue 18.7): where the guards' phones reach this server.

One answer for every label — checkpoint QR labels and sheets, NFC payloads, greeting-post codes
and the `flask patrols sheet` command: the configured ``PUBLIC_BASE_URL``
(``XUNJIAN_PUBLIC_BASE_URL``), else the address the request came to. The command has no request,
so it needs the setting or ``--base-url``. In production a label is never printed with a loopback
address (127.0.0.1, localhost): no phone could open it.
"""

from flask import current_app, request

from api.errors import abort
from models.rules.addresses import LOOPBACK, PRIVATE, label_address_problem, url_kind

SETTING = "XUNJIAN_PUBLIC_BASE_URL"
EXAMPLE = "https://xunjian.example.cn"

# Why phones may not reach a label's address, by label_address_problem's answer: (zh, en).
WARNINGS = {
    LOOPBACK: (
        "标签上的地址 {url} 是本机地址，手机无法访问：请把 {setting} 设置为手机能访问的地址"
        "（如 {example}）。",
        "Labels would carry {url}, this server's own loopback address, which no phone can "
        "reach: set {setting} to an address the phones reach (e.g. {example}).",
    ),
    PRIVATE: (
        "标签上的地址 {url} 是内网地址，只有连在公司内网（如公司 Wi-Fi）上的手机才能访问；"
        "如需用手机流量扫码，请把 {setting} 设置为公网地址。",
        "Labels would carry {url}, a private network address: only phones on the company's own "
        "network (e.g. its Wi-Fi) reach it; for phones on mobile data, set {setting} to a "
        "public address.",
    ),
    "not_https": (
        "标签上的地址 {url} 不是 https，扫码时的数据不加密：生产环境请把 {setting} 设置为 "
        "https 地址。",
        "Labels would carry {url}, which is not https, so scans travel unencrypted: in "
        "production set {setting} to an https address.",
    ),
}


class AddressMissing(ValueError):
    """No address to print on labels outside a request, or one no phone could reach."""


def configured_base_url() -> str | None:
    """The PUBLIC_BASE_URL setting without a trailing slash, or None when it is not set."""
    value = current_app.config.get("PUBLIC_BASE_URL")
    value = str(value).strip().rstrip("/") if value else ""
    return value or None


def public_base_url() -> str:
    """Where phones reach this server: the configured address, else the address this request
    came to."""
    return configured_base_url() or request.host_url.rstrip("/")


def is_production() -> bool:
    return current_app.config.get("ENV_NAME") == "production"


def refusal(base_url: str) -> str | None:
    """Why a label may not be printed with this address (production and loopback), or None."""
    if is_production() and url_kind(base_url) == LOOPBACK:
        return (
            f"标签地址 {base_url} 是本机地址，手机无法访问，已拒绝打印：请设置 {SETTING}"
            f"（如 {EXAMPLE}）。Labels would carry {base_url}, a loopback address no phone can "
            f"reach: set {SETTING} to the address phones use (e.g. {EXAMPLE})."
        )
    return None


def label_base_url() -> str:
    """public_base_url() for an address about to be printed on a label or written to a tag:
    in production a loopback address is refused (409)."""
    base = public_base_url()
    message = refusal(base)
    if message:
        abort(409, "label_address_unreachable", message)
    return base


def cli_base_url(option: str | None) -> str:
    """The address for labels printed by a command: --base-url, else the setting. Raises
    AddressMissing, saying what to set, when there is neither (or, in production, when it is
    a loopback address)."""
    base = (option or "").strip().rstrip("/") or configured_base_url()
    if base is None:
        raise AddressMissing(
            f"no address for the labels: pass --base-url {EXAMPLE} or set {SETTING} "
            "to the address the guards' phones reach this server at"
        )
    message = refusal(base)
    if message:
        raise AddressMissing(message)
    return base


def label_address_report() -> dict:
    """What labels printed now would carry, whether it is configured, and a warning when
    phones may not reach it."""
    base = public_base_url()
    problem = label_address_problem(base, production=is_production())
    warning = warning_en = None
    if problem is not None:
        zh, en = WARNINGS[problem]
        values = {"url": base, "setting": SETTING, "example": EXAMPLE}
        warning, warning_en = zh.format(**values), en.format(**values)
    return {
        "public_base_url": base,
        "configured": configured_base_url() is not None,
        "problem": problem,
        "warning": warning,
        "warning_en": warning_en,
        "printing_allowed": refusal(base) is None,
    }
