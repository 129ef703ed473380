"""The server's refusals, said to people in the app's language: in Chinese ApiError.display()
uses the server's own Chinese text first, then the app's sentence for the stable error code
(static/app/js/errors.js), else the server's English message; in English, the server's message."""

import re

from tests.e2e.conftest import sign_in

CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Calls the app's own api() in the page and answers, per refusal, [error code, display()].
REFUSALS = """async (language) => {
  const { api } = await import("/app/js/api.js");
  const { setLang } = await import("/app/js/i18n.js");
  setLang(language);
  const shown = async (method, path, options) => {
    try {
      await api(method, path, options);
      return null;
    } catch (failure) {
      return [failure.error, failure.display()];
    }
  };
  const scan = { id: crypto.randomUUID(), device_at: new Date().toISOString() };
  return {
    missing: await shown("GET", "/rounds/999999"),
    invalid: await shown("POST", "/scans", { json: { id: "not-a-uuid" } }),
    scan: await shown("POST", "/scans", { json: { ...scan, payload: "hello" } }),
  };
}"""


def test_refusals_are_said_in_the_apps_language(phone):
    sign_in(phone, "guard")

    zh = phone.evaluate(REFUSALS, "zh")
    assert zh["missing"] == ["not_found", "找不到此记录（可能已删除，或不属于您的项目）。"]
    code, text = zh["invalid"]
    assert code == "validation_failed"
    assert text.startswith("有内容缺少或填写不正确，请检查后重试。 请检查：")
    # Each field named with what the server said of it, in Chinese.
    named = dict(
        problem.rstrip("）").split("（", 1) for problem in text.split("请检查：", 1)[1].split("；")
    )
    assert {"id", "payload", "device_at"} <= set(named)
    assert all(CHINESE.search(said) for said in named.values()), named
    # A refused scan carries its own Chinese text from the server.
    assert zh["scan"] == ["malformed", "这不是本系统的巡更码。"]

    # In English the server's own message, which is often more specific than the code's.
    en = phone.evaluate(REFUSALS, "en")
    assert en["missing"] == ["not_found", "No such round."]
    assert en["invalid"][0] == "validation_failed"
    assert "payload (Missing data for required field.)" in en["invalid"][1].split("Check: ")[-1]
    assert en["scan"] == ["malformed", "This is not a patrol code of ours."]
