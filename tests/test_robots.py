"""Alert channels end to end: WeCom, DingTalk and Feishu group robots beside the generic webhook,
posted by the minute tick's delivery loop to a verifier on this machine that checks each
platform's documented format and signature and answers as the platform does.

The verifier is written from the platforms' documentation, not from models/rules/robots.py:

- DingTalk (自定义机器人安全设置, 加签): "把timestamp+"\\n"+密钥当做签名字符串，使用HmacSHA256算法
  计算签名，然后进行Base64 encode，最后再把签名参数再进行urlEncode，得到最终的签名" and "把
  timestamp和第一步得到的签名值拼接到URL中 …/robot/send?access_token=XXXXXX&timestamp=XXX&sign=XXX";
  "timestamp 当前时间戳，单位是毫秒，与请求调用时间误差不能超过1小时"
  (https://gitbook.curiouser.top/origin/dingding-customrobot.html, reproducing open.dingtalk.com).
  Markdown: {"msgtype": "markdown", "markdown": {"title": …, "text": …}}
  (https://developer.aliyun.com/ask/594427).
- Feishu (自定义机器人使用指南, 签名校验): "即将timestamp + "\\n" + 密钥当做签名字符串，使用
  HmacSHA256 算法计算签名，再进行 Base64 编码。其中，timestamp是指距当前时间不超过 1 小时（3600
  秒）的时间戳，时间单位：s" (https://blog.csdn.net/zhanglili1993/article/details/136473704), the
  string being the HMAC key over an empty message (the guide's Python example, reproduced on
  http://www.createh5.com/post/277.html: ``hmac.new(key_enc, msg_enc, …)`` with ``msg = ""``);
  timestamp and sign travel in the JSON body; a bad one is answered {"code":19021,"msg":"sign
  match fail or timestamp is not within one hour from current time"}.
- WeCom (群机器人配置说明, https://work.weixin.qq.com/api/doc/90000/90136/91770): the address is
  "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…", the markdown message is
  {"msgtype": "markdown", "markdown": {"content": …}} with "markdown内容，最长不超过4096个字节，
  必须是utf8编码"; an error is HTTP 200 with a non-zero errcode (e.g. 40058, see
  https://www.Github.com/RayWangQvQ/BiliBiliToolPro/issues/702).
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from models import db
from models.records.webhooks import deliver_pending, enqueue_alert
from models.tables.audit import AuditEntry
from models.tables.patrols import Webhook, WebhookDelivery
from models.tables.schema import _alert_channels

DING_SECRET = "SEC" + "5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc"
DING_TOKEN = "50cb6e954c89afa14fb97754eafd886d"
FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e"
FEISHU_TOKEN = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
WECOM_KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
BASE = "https://xunjian.example.cn"


class Verifier:
    """Answers like DingTalk, Feishu and WeCom after checking what the documentation asks."""

    def __init__(self):
        self.accepted = []  # (platform, message)
        self.refused = []  # (platform, why)
        verifier = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                platform = parts.path.split("/")[1]
                check = getattr(verifier, platform, None)
                if check is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                try:
                    message = json.loads(raw.decode("utf-8"))
                    problem = check(parts.path, query, message, self.headers)
                except (ValueError, KeyError, TypeError) as exc:
                    message, problem = None, f"unreadable: {exc}"
                answer = verifier.answer(platform, problem)
                (verifier.refused if problem else verifier.accepted).append(
                    (platform, problem or message)
                )
                body = json.dumps(answer).encode()
                self.send_response(200)  # the platforms refuse with HTTP 200 and a code
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # Addresses in each platform's shape, on this machine.
    @property
    def dingtalk_url(self):
        return f"{self.base}/dingtalk/robot/send?access_token={DING_TOKEN}"

    @property
    def feishu_url(self):
        return f"{self.base}/feishu/open-apis/bot/v2/hook/{FEISHU_TOKEN}"

    @property
    def wecom_url(self):
        return f"{self.base}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}"

    @staticmethod
    def answer(platform, problem):
        if platform == "feishu":
            if problem:
                return {"code": 19021, "msg": f"sign match fail or {problem}", "data": {}}
            return {"code": 0, "msg": "success", "data": {}}
        if platform == "dingtalk" and problem:
            return {"errcode": 310000, "errmsg": f"sign not match, {problem}"}
        if problem:
            return {"errcode": 93000, "errmsg": f"invalid webhook url, {problem}"}
        return {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def dingtalk(path, query, message, headers):
        if query.get("access_token") != DING_TOKEN:
            return "access_token"
        timestamp = query.get("timestamp", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
            return "timestamp not within an hour (milliseconds)"
        # parse_qs has undone the urlEncode; what is left is the Base64 of the HMAC.
        to_sign = f"{timestamp}\n{DING_SECRET}".encode()
        digest = hmac.new(DING_SECRET.encode(), to_sign, hashlib.sha256).digest()
        if query.get("sign") != base64.b64encode(digest).decode():
            return "sign"
        markdown = message.get("markdown") or {}
        if (
            message.get("msgtype") != "markdown"
            or not markdown.get("title")
            or not markdown.get("text")
        ):
            return "not a markdown message"
        return None

    @staticmethod
    def feishu(path, query, message, headers):
        if not path.endswith(f"/hook/{FEISHU_TOKEN}"):
            return "hook"
        timestamp = str(message.get("timestamp", ""))
        if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
            return "timestamp is not within one hour from current time"
        key = f"{timestamp}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if message.get("sign") != expected:
            return "sign"
        card = message.get("card") or {}
        if message.get("msg_type") != "interactive" or not card.get("elements"):
            return "not a card"
        return None

    @staticmethod
    def wecom(path, query, message, headers):
        if query.get("key") != WECOM_KEY:
            return "key"
        if "sign" in query or "timestamp" in query:
            return "WeCom robots are not signed"
        content = (message.get("markdown") or {}).get("content")
        if message.get("msgtype") != "markdown" or not isinstance(content, str) or not content:
            return "not a markdown message"
        if len(content.encode()) > 4096:
            return "markdown.content exceed max length 4096"
        return None

    def texts(self, platform):
        return [json.dumps(m, ensure_ascii=False) for p, m in self.accepted if p == platform]


def add_channel(world, **body):
    r = world.client.post("/api/webhooks/channels", headers=world.headers("admin"), json=body)
    return r


def robots_for(world, verifier, **events):
    site = world.site_a.id
    made = [
        add_channel(world, site_id=site, kind="dingtalk", name="钉钉值班群",
                    url=verifier.dingtalk_url, secret=DING_SECRET,
                    events=events.get("dingtalk", [])),
        add_channel(world, site_id=site, kind="feishu", name="飞书群", url=verifier.feishu_url,
                    secret=FEISHU_SECRET, events=events.get("feishu", [])),
        add_channel(world, site_id=site, kind="wecom", name="企微群", url=verifier.wecom_url,
                    events=events.get("wecom", [])),
    ]  # fmt: skip
    for r in made:
        assert r.status_code == 201, r.json
    return [r.json for r in made]


def test_each_robot_takes_the_alert_in_its_documented_format_and_signature(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True  # the verifier is on this machine
    app.config["PUBLIC_BASE_URL"] = BASE + "/"
    with Verifier() as verifier:
        robots_for(world, verifier)
        with app.app_context():
            enqueue_alert(
                world.site_a.id,
                "round.missed",
                "round.missed:41",
                {"round_id": 41, "starts_at": "2026-12-04T00:30:00Z", "missed_checkpoints": [3]},
            )
            assert deliver_pending() == (3, 0)
            assert deliver_pending() == (0, 0)  # each posted once
        assert verifier.refused == []
        for platform in ("dingtalk", "feishu", "wecom"):
            (text,) = verifier.texts(platform)
            for part in ("漏巡", world.site_a.name, "2026-12-04 08:30", f"{BASE}/console/#/board"):
                assert part in text, (platform, part, text)

    rows = world.client.get("/api/webhooks/deliveries", headers=world.headers("admin")).json
    assert sorted(r["channel_kind"] for r in rows) == ["dingtalk", "feishu", "wecom"]
    assert {r["status"] for r in rows} == {"delivered"} and {r["attempts"] for r in rows} == {1}
    assert {r["channel_name"] for r in rows} == {"钉钉值班群", "飞书群", "企微群"}


def test_without_a_public_address_the_message_has_no_link(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    app.config["PUBLIC_BASE_URL"] = None
    with Verifier() as verifier:
        add_channel(world, site_id=world.site_a.id, kind="wecom", url=verifier.wecom_url)
        with app.app_context():
            enqueue_alert(
                world.site_a.id, "anomaly.opened", "anomaly.opened:x", {"note": "消防门未关"}
            )
            assert deliver_pending() == (1, 0)
        (text,) = verifier.texts("wecom")
        assert "消防门未关" in text and "console/#/board" not in text and "](" not in text


def test_a_failing_robot_is_retried_and_does_not_hold_up_the_others(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    with Verifier() as verifier:
        wrong = add_channel(
            world,
            site_id=world.site_a.id,
            kind="dingtalk",
            url=verifier.dingtalk_url,
            secret="SECx",
        ).json
        add_channel(world, site_id=world.site_a.id, kind="wecom", url=verifier.wecom_url)
        add_channel(world, site_id=world.site_a.id, kind="generic", url="http://127.0.0.1:9/")
        with app.app_context():
            enqueue_alert(world.site_a.id, "scan.flagged", "scan.flagged:1", {"flags": []})
            assert deliver_pending() == (1, 2)
            assert deliver_pending() == (0, 2)  # tried again; WeCom not posted twice
        assert len(verifier.texts("wecom")) == 1
        assert [p for p, _ in verifier.refused] == ["dingtalk", "dingtalk"]

        rows = world.client.get("/api/webhooks/deliveries", headers=world.headers("admin")).json
        by_kind = {r["channel_kind"]: r for r in rows}
        assert by_kind["wecom"]["status"] == "delivered"
        assert by_kind["dingtalk"]["status"] == "waiting" and by_kind["dingtalk"]["attempts"] == 2
        assert by_kind["dingtalk"]["last_error"].startswith("code 310000: sign not match")
        assert by_kind["generic"]["status"] == "waiting" and by_kind["generic"]["last_error"]
        only = world.client.get(
            f"/api/webhooks/deliveries?channel_id={wrong['id']}", headers=world.headers("admin")
        ).json
        assert [r["channel_kind"] for r in only] == ["dingtalk"]

        # The admin puts the right secret in: the next run delivers the waiting alert.
        r = world.client.patch(
            f"/api/webhooks/channels/{wrong['id']}",
            headers=world.headers("admin"),
            json={"secret": DING_SECRET},
        )
        assert r.status_code == 200, r.json
        with app.app_context():
            assert deliver_pending() == (1, 1)
        assert len(verifier.texts("dingtalk")) == 1


def test_each_channel_gets_the_events_it_lists(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    with Verifier() as verifier:
        robots_for(world, verifier, dingtalk=["anomaly.opened"], feishu=["round.missed"])
        with app.app_context():
            enqueue_alert(world.site_a.id, "round.missed", "round.missed:1", {"round_id": 1})
            enqueue_alert(world.site_a.id, "anomaly.opened", "anomaly.opened:1", {"note": "漏水"})
            assert deliver_pending() == (4, 0)
        assert len(verifier.texts("dingtalk")) == 1 and "新异常" in verifier.texts("dingtalk")[0]
        assert len(verifier.texts("feishu")) == 1 and "漏巡" in verifier.texts("feishu")[0]
        assert len(verifier.texts("wecom")) == 2  # no list: every event


def test_an_alert_no_channel_takes_is_dropped_and_one_without_channels_waits(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    with Verifier() as verifier:
        add_channel(world, site_id=world.site_a.id, kind="wecom", url=verifier.wecom_url,
                    events=["anomaly.opened"])  # fmt: skip
        with app.app_context():
            enqueue_alert(world.site_a.id, "round.missed", "round.missed:1", {"round_id": 1})
            assert deliver_pending() == (0, 0)
            assert WebhookDelivery.select().count() == 0
            # A site without an active channel: its alerts wait for one.
            WebhookDelivery.create(
                site=world.site_b, event="round.missed", dedupe_key="b", body="{}"
            )
            assert deliver_pending() == (0, 0)
            assert WebhookDelivery.get(dedupe_key="b").channel_id is None
        assert verifier.accepted == []


def test_send_a_test_message_answers_with_the_platforms_words(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    admin = world.headers("admin")
    with Verifier() as verifier:
        ding, feishu, wecom = robots_for(world, verifier)
        for channel in (ding, feishu, wecom):
            r = world.client.post(f"/api/webhooks/channels/{channel['id']}/test", headers=admin)
            assert r.status_code == 200, r.json
            assert r.json["ok"] is True and r.json["status"] == 200, r.json
            assert r.json["answer"].startswith("code 0")
        assert verifier.refused == [] and len(verifier.accepted) == 3
        assert all(
            "测试消息" in text
            for p in ("dingtalk", "feishu", "wecom")
            for text in verifier.texts(p)
        )

        world.client.patch(
            f"/api/webhooks/channels/{feishu['id']}", headers=admin, json={"secret": "wrong"}
        )
        r = world.client.post(f"/api/webhooks/channels/{feishu['id']}/test", headers=admin)
        assert r.status_code == 200
        assert r.json["ok"] is False and r.json["answer"].startswith("code 19021: sign match fail")
    with app.app_context():  # a test message is not queued
        assert WebhookDelivery.select().count() == 0


def test_secrets_and_robot_keys_are_never_shown_again_nor_logged(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    admin = world.headers("admin")
    with Verifier() as verifier:
        ding, feishu, wecom = robots_for(world, verifier)
        generic = add_channel(
            world, site_id=world.site_a.id, kind="generic", url="https://h.example.com/x"
        )
    assert generic.status_code == 201 and len(generic.json["secret"]) == 64
    assert ding["secret"] is None and ding["signed"] is True and wecom["signed"] is False
    listed = world.client.get(f"/api/webhooks/channels?site_id={world.site_a.id}", headers=admin)
    assert listed.status_code == 200
    assert [c["kind"] for c in listed.json] == ["dingtalk", "feishu", "wecom", "generic"]
    assert listed.json[0]["url"].endswith("access_token=…886d")
    patched = world.client.patch(
        f"/api/webhooks/channels/{wecom['id']}",
        headers=admin,
        json={"name": "企微值班群", "events": ["round.missed"]},
    )
    assert patched.json["events"] == ["round.missed"] and patched.json["name"] == "企微值班群"
    shown = json.dumps([ding, feishu, wecom, listed.json, patched.json], ensure_ascii=False)
    with app.app_context():
        logged = json.dumps(
            [[e.before, e.after, e.reason] for e in AuditEntry.select()], ensure_ascii=False
        )
        actions = {e.action for e in AuditEntry.select()}
    for secret in (
        DING_SECRET,
        DING_TOKEN,
        FEISHU_SECRET,
        FEISHU_TOKEN,
        WECOM_KEY,
        generic.json["secret"],
    ):
        assert secret not in shown and secret not in logged
    assert {"add-channel", "update-channel"} <= actions


def test_channels_are_refused_where_alerts_may_not_go(app, world):
    site = world.site_a.id
    r = add_channel(
        world, site_id=site, kind="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k"
    )
    assert r.status_code == 422 and r.json["error"] == "private_address"
    r = add_channel(
        world, site_id=site, kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    )
    assert r.status_code == 422 and r.json["errors"]["json"]["url"]
    r = add_channel(
        world, site_id=site, kind="dingtalk", url="https://oapi.dingtalk.com/robot/send"
    )
    assert r.status_code == 422 and r.json["error"] == "not_a_robot_address"
    r = add_channel(
        world,
        site_id=site,
        kind="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        secret="s",
    )
    assert r.status_code == 422 and r.json["errors"]["json"]["secret"]
    r = add_channel(world, site_id=site, kind="slack", url="https://hooks.slack.com/x")
    assert r.status_code == 422
    r = add_channel(
        world, site_id=site, kind="generic", url="https://h.example.com/", events=["nothing"]
    )
    assert r.status_code == 422
    with app.app_context():
        assert Webhook.select().count() == 0
    made = add_channel(
        world,
        site_id=site,
        kind="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    r = world.client.patch(
        f"/api/webhooks/channels/{made.json['id']}",
        headers=world.headers("admin"),
        json={"url": "http://10.0.0.1/"},
    )
    assert r.status_code == 422 and r.json["error"] == "private_address"
    # Another site's channel is not found for an admin of this one only (in_scope / get_or_404).
    r = world.client.post("/api/webhooks/channels/999999/test", headers=world.headers("admin"))
    assert r.status_code == 404


def test_a_deactivated_channel_gets_nothing_more(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    with Verifier() as verifier:
        ding, feishu, wecom = robots_for(world, verifier)
        r = world.client.delete(
            f"/api/webhooks/channels/{feishu['id']}", headers=world.headers("admin")
        )
        assert r.status_code == 200 and r.json["active"] is False
        with app.app_context():
            enqueue_alert(world.site_a.id, "round.missed", "round.missed:9", {"round_id": 9})
            assert deliver_pending() == (2, 0)
        assert verifier.texts("feishu") == []


def test_the_generic_webhook_screen_leaves_the_robots_alone(app, world):
    admin = world.headers("admin")
    made = add_channel(
        world,
        site_id=world.site_a.id,
        kind="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    for url in ("https://hooks.example.com/a", "https://hooks.example.com/b"):
        r = world.client.post(
            "/api/webhooks", headers=admin, json={"site_id": world.site_a.id, "url": url}
        )
        assert r.status_code == 201
    assert [h["url"] for h in world.client.get("/api/webhooks", headers=admin).json] == [
        "https://hooks.example.com/b"
    ]
    kinds = [c["kind"] for c in world.client.get("/api/webhooks/channels", headers=admin).json]
    assert kinds == ["wecom", "generic"] and made.status_code == 201


OLD_TABLES = [
    'DROP TABLE "webhook_delivery"',
    'ALTER TABLE "webhook" RENAME TO "webhook_now"',
    'CREATE TABLE "webhook" ("id" INTEGER NOT NULL PRIMARY KEY, "site_id" INTEGER NOT NULL '
    'REFERENCES "site" ("id") ON DELETE CASCADE, "url" VARCHAR(500) NOT NULL, '
    '"secret" VARCHAR(64) NOT NULL, "active" BOOLEAN NOT NULL, '
    '"created_at" TIMESTAMP NOT NULL)',
    'INSERT INTO "webhook" SELECT "id", "site_id", "url", "secret", "active", "created_at" '
    'FROM "webhook_now"',
    'DROP TABLE "webhook_now"',
    'CREATE UNIQUE INDEX "webhook_site_id" ON "webhook" ("site_id")',
    'CREATE TABLE "webhook_delivery" ("id" INTEGER NOT NULL PRIMARY KEY, '
    '"site_id" INTEGER NOT NULL, "event" VARCHAR(32) NOT NULL, '
    '"dedupe_key" VARCHAR(100) NOT NULL UNIQUE, "body" TEXT NOT NULL, '
    '"created_at" TIMESTAMP NOT NULL, "attempts" INTEGER NOT NULL, "delivered_at" TIMESTAMP, '
    '"last_error" VARCHAR(300) NOT NULL)',
]


def test_migration_8_turns_one_webhook_per_site_into_channels_and_is_idempotent(app, world):
    with app.app_context():
        try:
            Webhook.create(site=world.site_a, url="https://hooks.example.com/a", secret="s" * 64)
            queued = WebhookDelivery.create(
                site=world.site_a, event="round.missed", dedupe_key="k", body="{}"
            )
            # The tables as version 7 had them.
            for sql in OLD_TABLES:
                db.execute_sql(sql)
            mark = "%s" if db.param == "%s" else "?"
            db.execute_sql(
                f"INSERT INTO \"webhook_delivery\" VALUES ({mark}, {mark}, 'round.missed', "
                f"'k', '{{}}', {mark}, 0, NULL, '')",
                (queued.id, world.site_a.id, queued.created_at),
            )
            _alert_channels()
            _alert_channels()  # twice changes nothing
            (hook,) = Webhook.select()
            assert (hook.kind, hook.name, hook.events, hook.url) == (
                "generic",
                "",
                [],
                "https://hooks.example.com/a",
            )
            # A second channel of the site: no longer refused by a unique index. (The id is
            # given: the old table made here has no sequence on PostgreSQL.)
            Webhook.create(
                id=hook.id + 1, site=world.site_a, kind="wecom", url="https://q.example.com/?key=k"
            )
            assert WebhookDelivery.get_by_id(queued.id).channel_id is None
            assert "channel_id" in {c.name for c in db.get_columns("webhook_delivery")}
        finally:  # the tables as the models make them, for the next test (one PostgreSQL schema)
            db.drop_tables([WebhookDelivery, Webhook])
            db.create_tables([Webhook, WebhookDelivery])
