"""Alerts as the messages of Chinese group robots: WeCom 企业微信, DingTalk 钉钉 and Feishu 飞书.

Plain functions, no database and no network: what an alert says (what, where, since when, a
link into the app), each platform's documented message body and signature, and whether the
platform's answer means the message was accepted. models/records/webhooks.py posts what these build.

- WeCom group robot: the key is in the address (``…/cgi-bin/webhook/send?key=…``), nothing is
  signed; ``{"msgtype": "markdown", "markdown": {"content": …}}``, content at most 4096 bytes
  of UTF-8.
- DingTalk custom robot (加签): ``timestamp`` in milliseconds + "\\n" + secret, HMAC-SHA256
  keyed with the secret, Base64, URL-encoded, appended to the address as
  ``&timestamp=…&sign=…``; ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``.
- Feishu custom bot (签名校验): ``timestamp`` in seconds + "\\n" + secret is the HMAC-SHA256
  KEY over an empty message, Base64, sent as ``sign`` in the body beside ``timestamp``;
  ``msg_type`` "interactive" with a card whose text is ``lark_md``.

DingTalk and WeCom answer ``{"errcode": 0, …}``, Feishu ``{"code": 0, …}``; any other code is
a refusal even with HTTP 200. The tests (tests/test_rules_robots.py, tests/test_robots.py)
quote the platforms' documentation.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote_plus, urlsplit
from zoneinfo import ZoneInfo

GENERIC = "generic"
WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"
KINDS = (GENERIC, WECOM, DINGTALK, FEISHU)
ROBOTS = (WECOM, DINGTALK, FEISHU)

# The alerts the server raises (models/records/patrol_records.py, api/anomalies), in words (zh, en).
EVENTS = {
    "round.overdue": ("巡更超时未开始", "Round overdue"),
    "presence.overdue": ("关键岗位未到岗", "Key post not manned"),
    "round.incomplete": ("巡更未巡完", "Round incomplete"),
    "round.missed": ("漏巡", "Round missed"),
    "scan.flagged": ("可疑打卡", "Flagged scan"),
    "anomaly.opened": ("新异常", "New anomaly"),
    "plan.overdue": ("计划检查逾期", "Planned inspection overdue"),
    "followup.breached": ("服务时限超时", "Follow-up promise broken"),
}
TEST_EVENT = "channel.test"

WECOM_MAX_BYTES = 4096
PRODUCT = "巡检通"


@dataclass
class Alert:
    """What a group reads: what happened, where, since when, details, and a link."""

    event: str
    what: str
    where: str
    since: str  # site-local "YYYY-MM-DD HH:MM", or ""
    details: list = field(default_factory=list)  # (label, value) pairs
    link: str | None = None

    @property
    def title(self) -> str:
        return f"【{PRODUCT}】{self.what}"


def _local(iso: str | None, zone: ZoneInfo) -> str:
    """An ISO time in UTC ("…Z") as the site's wall clock, to the minute ("" if unreadable)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def link_for(event: str, base_url: str | None) -> str | None:
    """Where in the app to look: the office console's live board for rounds, scans and
    anomalies, its alerts screen for a test message. None without a public address."""
    if not base_url:
        return None
    base = base_url.rstrip("/")
    return f"{base}/console/#/alerts" if event == TEST_EVENT else f"{base}/console/#/board"


# Payload fields shown as they are, (field, label), in the order the card lists them: those of
# an anomaly or inspection before a follow-up's promise, those of the follow-up after it.
_RECORD_FIELDS = (
    ("category", "类别"),
    ("note", "说明"),
    ("message", "内容"),
    ("subject", "检查对象"),
    ("checklist", "检查表"),
    ("due", "应检日期"),
)
_FOLLOW_UP_FIELDS = (("what", "事项"), ("escalated_to", "升级至"))


def _round_details(payload: dict) -> list[tuple[str, str]]:
    """The card lines about a patrol round: its schedule, number, missed points, lateness and
    why a scan looked suspicious."""
    details = []
    if payload.get("schedule"):
        details.append(("巡更计划", str(payload["schedule"])))
    if payload.get("round_id") is not None:
        details.append(("巡更轮次", f"#{payload['round_id']}"))
    missed = payload.get("missed_checkpoints")
    if missed:
        details.append(("漏巡点数", str(len(missed))))
    if payload.get("late"):
        details.append(("迟到", "是"))
    flags = payload.get("flags")
    if flags:
        reasons = [str(f.get("reason_zh") or f.get("reason") or f.get("code")) for f in flags]
        details.append(("可疑原因", "；".join(reasons)))
    return details


def _text_details(payload: dict, fields: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """A card line (label, value) for each of the fields the payload fills in."""
    return [(label, str(payload[field])) for field, label in fields if payload.get(field)]


def describe(
    event: str, payload: dict, site_name: str, zone: ZoneInfo, base_url: str | None
) -> Alert:
    """The alert a queued body (models/records/webhooks.queue_delivery's JSON) tells of."""
    what = EVENTS.get(event, (event, event))[0]
    since = _local(payload.get("starts_at") or payload.get("at"), zone)
    details = _round_details(payload)
    details += _text_details(payload, _RECORD_FIELDS)
    if payload.get("promise"):
        details.append(
            ("时限", f"{payload['promise']}，应于 {_local(payload.get('deadline'), zone)}")
        )
    details += _text_details(payload, _FOLLOW_UP_FIELDS)
    return Alert(event, what, site_name, since, details, link_for(event, base_url))


def test_alert(site_name: str, zone: ZoneInfo, now: datetime, base_url: str | None) -> Alert:
    """The message of the "send a test message" action."""
    return Alert(
        TEST_EVENT,
        "测试消息",
        site_name,
        now.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        [("内容", "告警推送已接通：巡更超时、漏巡、可疑打卡和新异常会发到这个群。")],
        link_for(TEST_EVENT, base_url),
    )


def _clean(text: str) -> str:
    """A value on one markdown line: no line breaks."""
    return " ".join(str(text).split())


def markdown_lines(alert: Alert) -> list[str]:
    """The body of the card: where, since when, the details and the link."""
    lines = [f"**项目**：{_clean(alert.where)}"]
    if alert.since:
        lines.append(f"**时间**：{alert.since}")
    lines += [f"**{label}**：{_clean(value)}" for label, value in alert.details]
    if alert.link:
        lines.append(f"[在巡检通中查看]({alert.link})")
    return lines


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, never inside a character, with an
    ellipsis when cut."""
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text
    cut = encoded[: max_bytes - len("…".encode())].decode("utf-8", errors="ignore")
    return cut + "…"


def wecom_message(alert: Alert) -> dict:
    lines = [f"### {alert.title}", *markdown_lines(alert)]
    content = "\n".join(lines)
    if alert.link and len(content.encode()) > WECOM_MAX_BYTES:
        # Cut the details, keep the link at the end.
        tail = "\n" + lines[-1]
        content = truncate_utf8("\n".join(lines[:-1]), WECOM_MAX_BYTES - len(tail.encode())) + tail
    return {"msgtype": "markdown", "markdown": {"content": truncate_utf8(content, WECOM_MAX_BYTES)}}


def dingtalk_message(alert: Alert) -> dict:
    # Two spaces before each line break: DingTalk's markdown breaks lines there.
    text = "  \n".join([f"### {alert.title}", *markdown_lines(alert)])
    return {"msgtype": "markdown", "markdown": {"title": alert.title, "text": text}}


def feishu_message(alert: Alert) -> dict:
    lines = markdown_lines(alert)
    if alert.link:
        lines = lines[:-1]
    elements = [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}}]
    if alert.link:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": "在巡检通中查看"},
                        "type": "primary",
                        "url": alert.link,
                    }
                ],
            }
        )
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "title": {"tag": "plain_text", "content": alert.title},
                "template": "blue" if alert.event == TEST_EVENT else "red",
            },
            "elements": elements,
        },
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: Base64 of HMAC-SHA256(key=secret, message=timestamp + "\\n" + secret)
    (not yet URL-encoded)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot's address with ``timestamp`` and the URL-encoded ``sign`` appended."""
    joiner = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's 签名校验: Base64 of HMAC-SHA256 keyed with timestamp + "\\n" + secret over an
    empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def robot_request(kind: str, url: str, secret: str, alert: Alert, now: datetime) -> tuple:
    """(address, JSON body as bytes) of one robot message, signed at ``now`` (naive UTC)."""
    seconds = int(now.replace(tzinfo=UTC).timestamp())
    if kind == WECOM:
        body = wecom_message(alert)
    elif kind == DINGTALK:
        body = dingtalk_message(alert)
        if secret:
            url = dingtalk_url(url, secret, seconds * 1000)
    elif kind == FEISHU:
        body = feishu_message(alert)
        if secret:
            body = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
    else:
        raise ValueError(f"not a robot: {kind!r}")
    return url, json.dumps(body, ensure_ascii=False).encode()


def platform_answer(kind: str, status: int, body: bytes) -> tuple[bool, str]:
    """Whether the platform took the message, and its answer in short (for last_error and the
    test action). A robot answers HTTP 200 with a code: 0 is accepted, anything else refused."""
    text = body.decode("utf-8", errors="replace").strip()
    if not 200 <= status < 300:
        return False, f"HTTP {status} {text[:200]}".strip()
    if kind == GENERIC:
        return True, f"HTTP {status}"
    try:
        answer = json.loads(text)
    except ValueError:
        return False, f"not the platform's answer: {text[:200]}"
    if not isinstance(answer, dict):
        return False, f"not the platform's answer: {text[:200]}"
    if kind == FEISHU:
        code = answer.get("code", answer.get("StatusCode"))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode"), answer.get("errmsg", "")
    if code == 0:
        return True, f"code 0 {message}".strip()
    return False, f"code {code}: {message}"[:300]


def url_problem(kind: str, url: str) -> str | None:
    """Why an address is not the robot's webhook address, or None (the host is not checked:
    a company may reach the platform through its own proxy)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if kind == WECOM and not query.get("key"):
        return "企业微信机器人地址应带 key 参数（…/cgi-bin/webhook/send?key=…）。"
    if kind == DINGTALK and not query.get("access_token"):
        return "钉钉机器人地址应带 access_token 参数（…/robot/send?access_token=…）。"
    if kind == FEISHU and "/hook/" not in parts.path:
        return "飞书机器人地址应是 …/open-apis/bot/v2/hook/… 的形式。"
    return None


def masked_url(kind: str, url: str) -> str:
    """A robot's address with its credential (WeCom key, DingTalk access_token, Feishu hook
    token) hidden but its last 4 characters; a generic webhook's address as it is."""
    if kind not in ROBOTS:
        return url

    def hide(value: str) -> str:
        return "…" + value[-4:] if len(value) > 4 else "…"

    parts = urlsplit(url)
    if kind == FEISHU and "/hook/" in parts.path:
        head, token = parts.path.rsplit("/hook/", 1)
        return parts._replace(path=f"{head}/hook/{hide(token)}").geturl()
    name = "key" if kind == WECOM else "access_token"
    query = "&".join(
        f"{k}={hide(v) if k == name else v}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return parts._replace(query=query).geturl()


def wants(events: list, event: str) -> bool:
    """Whether a channel listing ``events`` takes ``event`` (an empty list takes every one; a
    test message goes to the channel it is sent to)."""
    return not events or event in events or event == TEST_EVENT
