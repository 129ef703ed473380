"""Group robots' messages and signatures (models/rules/robots.py), checked against the
platforms' own words and worked examples, computed here independently of the product's code.

DingTalk custom robot, security setting 加签 (as reproduced from open.dingtalk.com's
"自定义机器人安全设置" on https://gitbook.curiouser.top/origin/dingding-customrobot.html and
https://binkzhou.github.io/blog/other/2023/0211001.html):

    "把timestamp+"\\n"+密钥当做签名字符串，使用HmacSHA256算法计算签名，然后进行Base64 encode，
    最后再把签名参数再进行urlEncode，得到最终的签名（需要使用UTF-8字符集）。"
    "timestamp 当前时间戳，单位是毫秒，与请求调用时间误差不能超过1小时。"
    "secret 密钥，机器人安全设置页面，加签一栏下面显示的SEC开头的字符串。"
    "第二步，把 timestamp和第一步得到的签名值拼接到URL中。
     https://oapi.dingtalk.com/robot/send?access_token=XXXXXX&timestamp=XXX&sign=XXX"

DingTalk markdown message (message types, https://open.dingtalk.com/document/orgapp/message-type,
as quoted on https://developer.aliyun.com/ask/594427):
    {"msgtype": "markdown", "markdown": {"title": "标题内容", "text": "Markdown格式的消息正文"}}

Feishu custom bot, 签名校验 (open.feishu.cn "自定义机器人使用指南", as quoted on
https://blog.csdn.net/zhanglili1993/article/details/136473704):

    "设置签名校验后，向 webhook 发送请求需要签名校验来保障来源可信。所校验的签名需要通过时间戳
    与秘钥进行算法加密，即将timestamp + "\\n" + 密钥当做签名字符串，使用 HmacSHA256 算法计算
    签名，再进行 Base64 编码。其中，timestamp是指距当前时间不超过 1 小时（3600 秒）的时间戳，
    时间单位：s。例如，1599360473。"

and its Python example (same guide, reproduced on http://www.createh5.com/post/277.html): the
string is the HMAC KEY over an empty message —
    key = f'{timestamp}\\n{secret}'; msg = ""
    hmac_code = hmac.new(key_enc, msg_enc, digestmod=sha256).digest()
A wrong signature is answered {"code":19021,"msg":"sign match fail or timestamp is not within
one hour from current time"} (same CSDN page).

WeCom group robot (群机器人配置说明, https://work.weixin.qq.com/api/doc/90000/90136/91770):
    "假设webhook是：https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-…"
    "特别特别要注意：一定要保护好机器人的webhook地址，避免泄漏！"
    markdown类型: {"msgtype": "markdown", "markdown": {"content": …}};
    "content … markdown内容，最长不超过4096个字节，必须是utf8编码"
    (the parameter table as quoted on https://www.cnblogs.com/saplh/p/archive/2021/10/08).
    Too long is refused with HTTP 200: {"errcode":40058,"errmsg":"markdown.content exceed max
    length 4096. …"} (https://www.Github.com/RayWangQvQ/BiliBiliToolPro/issues/702).
"""

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import datetime
from zoneinfo import ZoneInfo

from models.rules import robots

SHANGHAI = ZoneInfo("Asia/Shanghai")


def alert(**overrides):
    values = {
        "event": "round.missed",
        "what": "漏巡",
        "where": "阳光花园",
        "since": "2026-12-04 08:00",
        "details": [("巡更计划", "夜班巡更")],
        "link": "https://xunjian.example.cn/console/#/board",
    }
    return robots.Alert(**(values | overrides))


def test_dingtalk_signature_is_the_documented_one():
    """Written from the documented recipe (Java example: Mac HmacSHA256 keyed with the secret
    over timestamp + "\\n" + secret, Base64, URLEncoder.encode)."""
    secret, timestamp = "SEC" + "0123456789abcdef" * 4, 1700000000000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), "sha256").digest()
    expected = base64.b64encode(digest).decode()
    assert robots.dingtalk_sign(secret, timestamp) == expected
    url = robots.dingtalk_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc", secret, timestamp
    )
    head, query = url.split("?", 1)
    assert head == "https://oapi.dingtalk.com/robot/send"
    assert (
        query == f"access_token=abc&timestamp={timestamp}&sign={urllib.parse.quote_plus(expected)}"
    )
    # A worked example published with the docs.rs crate "dingding" (signature.rs test).
    assert urllib.parse.quote_plus(robots.dingtalk_sign("secret", 1700000000000)) == (
        "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    )


def test_feishu_signature_keys_the_hmac_with_timestamp_and_secret_over_nothing():
    secret, timestamp = "nIMtb7r3N9pkXyXdtAbx6e", 1599360473
    key = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert robots.feishu_sign(secret, timestamp) == expected
    # Not DingTalk's recipe (the secret as key over the string): the two differ.
    assert robots.feishu_sign(secret, timestamp) != robots.dingtalk_sign(secret, timestamp)


def test_each_robot_request_is_in_its_documented_shape():
    now = datetime(2026, 12, 4, 0, 0, 0)  # naive UTC
    seconds = 1796342400
    url, body = robots.robot_request(
        "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "SECx", alert(), now
    )
    assert f"&timestamp={seconds * 1000}&sign=" in url
    sent = json.loads(body)
    assert sent["msgtype"] == "markdown" and set(sent["markdown"]) == {"title", "text"}
    assert "漏巡" in sent["markdown"]["title"] and "阳光花园" in sent["markdown"]["text"]

    url, body = robots.robot_request(
        "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", "s", alert(), now
    )
    sent = json.loads(body)
    assert url.endswith("/hook/x")  # Feishu's signature is in the body, not the address
    assert sent["timestamp"] == str(seconds) and sent["sign"] == robots.feishu_sign("s", seconds)
    assert sent["msg_type"] == "interactive"
    texts = json.dumps(sent["card"], ensure_ascii=False)
    assert "阳光花园" in texts and "https://xunjian.example.cn/console/#/board" in texts
    assert sent["card"]["elements"][0]["text"]["tag"] == "lark_md"

    url, body = robots.robot_request(
        "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", alert(), now
    )
    sent = json.loads(body)
    assert url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    assert sent["msgtype"] == "markdown" and list(sent["markdown"]) == ["content"]
    content = sent["markdown"]["content"]
    for part in (
        "漏巡",
        "阳光花园",
        "2026-12-04 08:00",
        "夜班巡更",
        "(https://xunjian.example.cn/console/#/board)",
    ):
        assert part in content


def test_unsigned_robots_send_no_signature():
    now = datetime(2026, 12, 4)
    url, _ = robots.robot_request(
        "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", "", alert(), now
    )
    assert "sign=" not in url
    _, body = robots.robot_request(
        "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", "", alert(), now
    )
    assert "sign" not in json.loads(body)


def test_wecom_content_stays_within_4096_bytes_with_the_link_kept():
    long = alert(details=[("说明", "水管破裂" * 800)])  # 9600 bytes of Chinese
    content = robots.wecom_message(long)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("[在巡检通中查看](https://xunjian.example.cn/console/#/board)")
    content.encode("utf-8").decode("utf-8")  # never cut inside a character
    assert robots.truncate_utf8("巡" * 10, 7) == "巡…"


def test_an_alert_says_what_where_since_when_with_a_link_or_none():
    payload = {"round_id": 7, "starts_at": "2026-12-04T00:30:00Z", "missed_checkpoints": [1, 2]}
    told = robots.describe("round.missed", payload, "阳光花园", SHANGHAI, "https://x.example.cn/")
    assert (told.what, told.where, told.since) == ("漏巡", "阳光花园", "2026-12-04 08:30")
    assert ("漏巡点数", "2") in told.details
    assert told.link == "https://x.example.cn/console/#/board"
    without = robots.describe("anomaly.opened", {"note": "消防门\n未关"}, "A", SHANGHAI, None)
    assert without.link is None
    assert "[" not in "\n".join(robots.markdown_lines(without))
    assert "**说明**：消防门 未关" in robots.markdown_lines(without)  # one line per value


def test_the_platforms_answer_decides_not_the_http_status():
    assert robots.platform_answer("dingtalk", 200, b'{"errcode":0,"errmsg":"ok"}')[0]
    assert robots.platform_answer("wecom", 200, b'{"errcode":0,"errmsg":"ok"}')[0]
    assert robots.platform_answer("feishu", 200, b'{"code":0,"msg":"success","data":{}}')[0]
    refused = robots.platform_answer(
        "wecom", 200, b'{"errcode":40058,"errmsg":"markdown.content exceed max length 4096."}'
    )
    assert refused == (False, "code 40058: markdown.content exceed max length 4096.")
    assert not robots.platform_answer(
        "feishu", 200, b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}'
    )[0]
    assert not robots.platform_answer("dingtalk", 200, b"<html>proxy</html>")[0]
    assert not robots.platform_answer("dingtalk", 502, b"")[0]
    assert robots.platform_answer("generic", 204, b"")[0]


def test_robot_addresses_are_checked_and_their_keys_hidden():
    assert (
        robots.url_problem("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send") is not None
    )
    assert (
        robots.url_problem("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
        is None
    )
    assert (
        robots.url_problem("dingtalk", "https://oapi.dingtalk.com/robot/send?token=x") is not None
    )
    assert robots.url_problem("feishu", "https://open.feishu.cn/open-apis/bot/v2/") is not None
    assert robots.url_problem("generic", "https://hooks.example.com/") is None
    key = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    shown = robots.masked_url(
        "wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}"
    )
    assert key not in shown and shown.endswith("key=…5aaa")
    shown = robots.masked_url(
        "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e"
    )
    assert shown == "https://open.feishu.cn/open-apis/bot/v2/hook/…d78e"
    shown = robots.masked_url(
        "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=50cb6e95"
    )
    assert shown == "https://oapi.dingtalk.com/robot/send?access_token=…6e95"
    assert (
        robots.masked_url("generic", "https://h.example.com/a?key=b")
        == "https://h.example.com/a?key=b"
    )


def test_a_channel_takes_the_events_it_lists_or_all():
    assert robots.wants([], "scan.flagged")
    assert robots.wants(["round.missed"], "round.missed")
    assert not robots.wants(["round.missed"], "scan.flagged")
    assert robots.wants(["round.missed"], robots.TEST_EVENT)
