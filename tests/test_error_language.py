"""Errors in the caller's language: Chinese unless ``Accept-Language`` asks for English, in the
one shape ``{code, status, error, message, errors}`` with ``error`` stable, and an id that names
nothing the caller can see answered 404 wherever it is sent, the field named where it was sent."""

import re
import uuid

CHINESE = re.compile(r"[\u4e00-\u9fff]")
EN = {"Accept-Language": "en"}


def test_a_validation_error_is_in_chinese_by_default_and_in_english_on_request(world):
    h = world.headers("admin")
    r = world.client.post("/api/teams", headers=h, json={"name": ""})
    assert r.status_code == 422 and r.json["error"] == "validation_failed"
    assert CHINESE.search(r.json["message"]), r.json
    assert r.json["errors"]["json"]["site_id"] == ["必填项，不能缺少。"]
    assert r.json["errors"]["json"]["name"] == ["长度须在 1 到 100 之间。"], r.json
    assert r.headers["Content-Language"] == "zh"

    r = world.client.post("/api/teams", headers={**h, **EN}, json={"name": ""})
    assert r.status_code == 422 and r.json["error"] == "validation_failed"
    assert r.json["message"] == "Some fields are missing or invalid: see errors."
    assert r.json["errors"]["json"]["site_id"] == ["Missing data for required field."]
    assert r.headers["Content-Language"] == "en"

    # A browser's list of languages: the first it prefers that we speak.
    r = world.client.post(
        "/api/teams", headers={**h, "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}, json={}
    )
    assert r.json["errors"]["json"]["site_id"] == ["Missing data for required field."]
    r = world.client.post(
        "/api/teams", headers={**h, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}, json={}
    )
    assert r.json["errors"]["json"]["site_id"] == ["必填项，不能缺少。"]


def test_errors_without_a_view_are_in_the_callers_language_too(world):
    r = world.client.get("/api/no-such-thing", headers=world.headers("admin"))
    assert r.status_code == 404 and r.json["error"] == "not_found"
    assert CHINESE.search(r.json["message"])
    r = world.client.get("/api/sites")
    assert r.status_code == 401 and r.json["error"] == "unauthenticated"
    assert CHINESE.search(r.json["message"]), r.json
    r = world.client.get("/api/sites", headers=EN)
    assert not CHINESE.search(r.json["message"]), r.json


def test_another_sites_id_in_a_query_is_not_found_and_named_under_query(world):
    h = world.headers("supervisor")  # site A only
    r = world.client.get(f"/api/rounds/live?site_id={world.site_b.id}", headers=h)
    assert r.status_code == 404 and r.json["error"] == "not_found", r.json
    assert r.json["errors"] == {
        "query": {"site_id": ["没有此项目（可能已删除，或不属于您的项目）。"]}
    }
    assert r.json["message"] == "没有此项目（可能已删除，或不属于您的项目）。"
    r = world.client.get(f"/api/rounds/live?site_id={world.site_b.id}", headers={**h, **EN})
    assert r.json["errors"] == {"query": {"site_id": ["No such site."]}}


def test_another_sites_id_in_a_body_is_not_found_and_named_under_json(world):
    body = {"id": str(uuid.uuid4()), "site_id": world.site_b.id, "category": "lighting"}
    r = world.client.post("/api/anomalies", headers=world.headers("guard"), json=body)
    assert r.status_code == 404 and r.json["error"] == "not_found", r.json
    assert list(r.json["errors"]) == ["json"] and "site_id" in r.json["errors"]["json"]
    assert CHINESE.search(r.json["errors"]["json"]["site_id"][0])
    # The same id in the path: 404 as well.
    r = world.client.get(f"/api/sites/{world.site_b.id}", headers=world.headers("supervisor"))
    assert r.status_code == 404 and r.json["error"] == "not_found"


def test_a_bilingual_message_is_given_in_the_language_asked(world):
    from api.messages import localize

    text = "此打卡已审核。This scan was reviewed already."
    assert localize(text, "zh") == text
    assert localize(text, "en") == "This scan was reviewed already."
    # An English message with no sentence of its own keeps its detail after the code's Chinese.
    said = localize("Set XUNJIAN_PUBLIC_BASE_URL first.", "zh", "label_address_unreachable")
    assert CHINESE.search(said) and "XUNJIAN_PUBLIC_BASE_URL" in said


def test_every_error_code_and_marshmallow_message_has_a_chinese_sentence():
    import inspect

    import marshmallow as ma

    from api.errors import DEFAULT_ERRORS
    from api.messages import CODE_MESSAGES, sentence

    assert set(DEFAULT_ERRORS.values()) <= set(CODE_MESSAGES)
    messages = set(ma.Schema._default_error_messages.values())
    for field in vars(ma.fields).values():
        if inspect.isclass(field) and issubclass(field, ma.fields.Field):
            for cls in field.__mro__:
                messages.update(getattr(cls, "default_error_messages", {}).values())
    examples = {
        "Not a valid {obj_type}.": "Not a valid datetime.",
        "Not a valid {awareness} {obj_type}.": "Not a valid aware datetime.",
    }
    missing = []
    for message in messages:
        if "{" in message and message not in examples:
            continue  # formatted with the input: not shown as such
        text = examples.get(message, message)
        if not (sentence(text) and CHINESE.search(sentence(text))):
            missing.append(text)
    assert not missing, missing
    for text in (
        "Length must be between 1 and 64.",
        "Must be greater than or equal to 1 and less than or equal to 5.",
        "Must be one of: a, b.",
        "Not a valid integer.",
    ):
        assert CHINESE.search(sentence(text) or ""), text


def test_unanswered_check_items_are_named_in_the_standards_words(app, world):
    from models import utcnow
    from tests.test_patrols import Patrol, iso

    patrol = Patrol(app, world)
    world.client.patch(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}",
        headers=world.headers("admin"),
        json={"checklist": "checkpoint-emergency-light"},
    )
    answers = [{"code": "power-indicator", "result": "pass"}, {"code": "x-ray", "result": "pass"}]
    r, _ = patrol.scan(0, answers=answers)
    assert r.status_code == 422 and r.json["error"] == "check_items_missing"
    chinese = r.json["errors"]["json"]["payload"][0]
    assert "「按下试验按钮，应急灯正常点亮」" in chinese and "x-ray" in chinese, chinese
    assert "[" not in r.json["message"] and "「按下试验按钮" in r.json["message"]
    r = world.client.post(
        "/api/scans",
        headers={**world.headers("guard"), **EN},
        json={
            "id": str(uuid.uuid4()),
            "payload": patrol.payload(0),
            "device_at": iso(utcnow()),
            "device_id": "phone-g1",
            "answers": answers,
        },
    )
    assert r.status_code == 422 and not CHINESE.search(r.json["message"]), r.json
    assert "Emergency light comes on when the test button is pressed" in r.json["message"]
    assert "x-ray" in r.json["message"] and "[" not in r.json["message"]
