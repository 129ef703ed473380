"""Error messages in the caller's language: Chinese unless the caller asks for English.

Views and schemas write their messages in English (or in both languages, Chinese first). The one
error handler (api/extensions.py) passes every ``message`` and every per-field message through
:func:`localize`, which finds its Chinese sentence here:

- ``CODE_MESSAGES``: a Chinese sentence for each stable error code (``error``), used when a
  message has no sentence of its own;
- ``SENTENCES``: English sentences (marshmallow's standard messages and ours) with their Chinese;
  ``{name}`` in a sentence matches any text, and known words in it (model names, units) are
  translated by ``WORDS``.

A message that already holds Chinese is left as it is; an English one with no Chinese sentence
here keeps its English after the code's Chinese sentence, so nothing specific is lost.
"""

import re

from flask import has_request_context, request

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language() -> str:
    """The caller's language from ``Accept-Language``: ``en`` when asked for, else ``zh``."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


# A sentence for each stable error code, for people.
CODE_MESSAGES = {
    "bad_request": "请求无法识别（请求体是有效的 JSON 吗？）。",
    "unauthenticated": "请先登录。",
    "forbidden": "您的账号没有权限做此操作。",
    "not_found": "找不到此记录（可能已删除，或不属于您的项目）。",
    "method_not_allowed": "此地址不支持该操作。",
    "conflict": "与已保存的记录冲突（重复了？）。",
    "too_large": "内容太大，无法接收。",
    "unsupported_media_type": "发送的内容格式不对，请以 application/json 发送。",
    "validation_failed": "有内容缺少或填写不正确，详见 errors。",
    "too_many_attempts": "登录失败次数太多，请过几分钟再试。",
    "internal_error": "服务器出错了；请求编号可在日志中查到此错误。",
    "unavailable": "服务器暂时不可用，请稍后再试。",
    "error": "请求未能完成。",
    "invalid_credentials": "用户名或密码错误。",
    "invalid_token": "登录已失效，请重新登录。",
    "token_expired": "登录已过期，请重新登录。",
    "account_disabled": "此账号已停用，请联系主管。",
    "taken": "此编号已被占用，请换一个新编号。",
    "id_taken": "编号已被占用，请重新提交。",
    "malformed": "这不是本系统的二维码。",
    "forged": "此二维码签名无效，请报告主管。",
    "outdated_label": "此标签已作废（已更换新码），请联系主管更换。",
    "other_site": "这属于其他项目，不能在这里使用。",
    "not_a_checkpoint": "此码不是巡更点。",
    "unknown_checkpoint": "巡更点不存在或已停用。",
    "duplicate_scan": "刚刚已扫过此点，以第一次为准。",
    "too_old": "此记录过旧，无法上传。",
    "check_items_missing": "请完成此点的全部检查项。",
    "photo_required": "此巡更点需要拍照。",
    "unknown_photo": "照片不存在或已被使用。",
    "not_a_post": "此码不是迎候岗位。",
    "unknown_post": "迎候岗位不存在或已停用。",
    "no_shift": "您现在没有迎候班次。",
    "wrong_post": "您的班次在另一个岗位。",
    "no_staff_record": "此账号没有关联员工，请联系管理员。",
    "site_windows": "请先设置项目的上班时间和晚高峰时间。",
    "no_managers": "此项目没有在职的经理，无法排班。",
    "rota_impossible": "有的日子请假的经理太多，迎候时段排不满，请调整后再排。",
    "not_yours": "只能处理自己的记录。",
    "same_manager": "不能和自己换班。",
    "same_day_conflict": "换班后同一位经理一天会有两个班次，不能换。",
    "past_shift": "已开始或已过去的班次不能换。",
    "not_an_image": "这个文件不是图片，请发送 JPEG、PNG 或 WebP 照片。",
    "unsupported_format": "不支持此图片格式，请发送 JPEG、PNG 或 WebP。",
    "corrupt_image": "图片已损坏或不完整，请重新拍照或发送。",
    "too_many_bytes": "照片文件太大，请拍小一些再发送。",
    "too_many_pixels": "照片像素太高，请拍小一些再发送。",
    "content_type_mismatch": "照片的类型与内容不符，请重新发送。",
    "already_reviewed": "此记录已审核。",
    "not_flagged": "此打卡没有异常标记。",
    "own_scan": "不能审核自己的打卡。",
    "already_closed": "本月已结账；请用调整来更正。",
    "not_closed": "只有已结账的月份才用调整来更正。",
    "month_not_over": "月份结束后才能结账。",
    "import_has_problems": "文件有问题，未导入任何内容。",
    "not_xlsx": "无法读取该文件：请上传 Excel 工作簿（.xlsx）。",
    "private_address": "告警地址不能是本机或内网地址，请填写接收方的公网地址。",
    "label_address_unreachable": "标签上的地址不可用：请设置 XUNJIAN_PUBLIC_BASE_URL。",
}

# Words that fill the ``{...}`` of a sentence: the names of things, and marshmallow's types.
WORDS = {
    "site": "项目",
    "area": "区域",
    "post": "岗位",
    "team": "班组",
    "staff": "员工",
    "checkpoint": "巡更点",
    "route": "巡更路线",
    "schedule": "巡更计划",
    "round": "巡更轮次",
    "user": "用户",
    "photo": "照片",
    "inspection": "检查记录",
    "rectification": "整改单",
    "contractor": "外包单位",
    "anomaly": "异常上报",
    "hand-over": "交接班记录",
    "coaching item": "辅导项",
    "calendar": "日历",
    "scan": "打卡记录",
    "checklist version": "检查表版本",
    "shift": "班次",
    "swap": "换班申请",
    "webhook": "告警地址",
    "datetime": "日期时间",
    "aware datetime": "带时区的日期时间",
    "naive datetime": "不带时区的日期时间",
    "date": "日期",
    "time": "时间",
    "greater than or equal to": "大于或等于",
    "greater than": "大于",
    "less than or equal to": "小于或等于",
    "less than": "小于",
}

# (English, Chinese). ``{name}`` matches any text; a matched value named in WORDS is translated.
SENTENCES = [
    # marshmallow's standard messages
    ("Missing data for required field.", "必填项，不能缺少。"),
    ("Unknown field.", "未知字段（不在此接口的文档中）。"),
    ("Field may not be null.", "不能为 null。"),
    ("Invalid input type.", "输入类型不正确。"),
    ("Invalid input.", "输入不正确。"),
    ("Invalid type.", "类型不正确。"),
    ("Invalid value.", "取值不正确。"),
    ("Not a valid integer.", "不是有效的整数。"),
    ("Not a valid number.", "不是有效的数字。"),
    ("Not a valid string.", "不是有效的文本。"),
    ("Not a valid boolean.", "不是有效的布尔值（true 或 false）。"),
    ("Not a valid list.", "不是有效的列表。"),
    ("Not a valid mapping type.", "不是有效的对象。"),
    ("Not a valid UUID.", "不是有效的 UUID。"),
    ("Not a valid URL.", "不是有效的网址。"),
    ("Not a valid email address.", "不是有效的电子邮箱地址。"),
    ("Not a valid utf-8 string.", "不是有效的 UTF-8 文本。"),
    ("Not a valid period of time.", "不是有效的时长。"),
    ("Number too large.", "数字太大。"),
    ("Special numeric values (nan or infinity) are not permitted.", "不允许 NaN 或无穷大。"),
    ("String does not match expected pattern.", "格式不符合要求。"),
    ("Not a valid {kind}.", "不是有效的{kind}。"),
    ("Length must be between {min} and {max}.", "长度须在 {min} 到 {max} 之间。"),
    ("Length must be {equal}.", "长度须为 {equal}。"),
    ("Longer than maximum length {max}.", "长度不能超过 {max}。"),
    ("Shorter than minimum length {min}.", "长度不能少于 {min}。"),
    ("Must be one of: {choices}.", "须为以下之一：{choices}。"),
    ("Must be equal to {other}.", "须等于 {other}。"),
    *(
        (
            f"Must be {low} {{min}} and {high} {{max}}.",
            f"须{WORDS[low]} {{min}}，且{WORDS[high]} {{max}}。",
        )
        for low in ("greater than or equal to", "greater than")
        for high in ("less than or equal to", "less than")
    ),
    *(
        (f"Must be {op} {{value}}.", f"须{WORDS[op]} {{value}}。")
        for op in (
            "greater than or equal to",
            "greater than",
            "less than or equal to",
            "less than",
        )
    ),
    ("Must be between {min} and {max}.", "须在 {min} 到 {max} 之间。"),
    # the error handler's own
    ("The request could not be read (is the body valid JSON?).", CODE_MESSAGES["bad_request"]),
    ("Some fields are missing or invalid: see errors.", CODE_MESSAGES["validation_failed"]),
    (
        "Internal server error; the request id identifies it in the logs.",
        CODE_MESSAGES["internal_error"],
    ),
    ("This conflicts with existing data (a duplicate?).", CODE_MESSAGES["conflict"]),
    ("The JSON body is nested too deeply.", "JSON 请求体嵌套太深。"),
    (
        "Send the body as application/json, not {type}.",
        "请以 application/json 发送请求体，而不是 {type}。",
    ),
    ("Nothing to change: send at least one field.", "没有要修改的内容：请至少发送一个字段。"),
    ("Text may not contain NUL characters.", "文本不能包含 NUL 字符。"),
    (
        "Text must be valid Unicode (no lone surrogates).",
        "文本须为有效的 Unicode（不能有孤立代理项）。",
    ),
    ("Photos may be at most {limit} MB.", "照片最多 {limit} MB。"),
    # things that are not there, or not the caller's
    ("No such {thing} at this site.", "本项目没有此{thing}。"),
    ("No such {thing}.", "没有此{thing}（可能已删除，或不属于您的项目）。"),
    ("The requested URL was not found on the server.{rest}", CODE_MESSAGES["not_found"]),
    ("The method is not allowed for the requested URL.", CODE_MESSAGES["method_not_allowed"]),
    ("No checklist {code}.", "没有检查表 {code}。"),
    ("Checklist {code} has no version {number}.", "检查表 {code} 没有第 {number} 版。"),
    ("No checkpoint checklist with this code.", "没有此代码的巡更点检查表。"),
    ("No active checkpoints to print.", "没有可打印的在用巡更点。"),
    ("unknown or already used", "不存在或已被使用"),
    ("Unknown photos, or photos already used.", "照片不存在或已被使用。"),
    (
        "Unknown photos, or photos that are evidence for something else.",
        "照片不存在，或已是其他记录的证据。",
    ),
    # fields of ours
    ("Give the month as YYYYMM, e.g. 202611.", "请以 YYYYMM 填写月份，例如 202611。"),
    (
        "Give the time with its UTC offset, e.g. 2026-11-23T08:30:00+08:00.",
        "请填写带时区偏移的时间，例如 2026-11-23T08:30:00+08:00。",
    ),
    (
        "Give a date (2026-03-01) or a time with its offset (2026-03-01T08:00:00+08:00).",
        "请填写日期（2026-03-01）或带时区偏移的时间（2026-03-01T08:00:00+08:00）。",
    ),
    (
        "Unknown time zone {zone}; use an IANA name such as Asia/Shanghai.",
        "未知时区 {zone}；请用 IANA 名称，例如 Asia/Shanghai。",
    ),
    ("Unknown time zone {zone}.", "未知时区 {zone}。"),
    ("Must not come before 'since'.", "不能早于 since。"),
    ("A day between 2000 and 2100.", "日期须在 2000 年到 2100 年之间。"),
    ("taken", "已被占用"),
    ("wrong subject", "检查对象不对"),
    ("inactive", "已停用"),
    ("already submitted", "已提交过"),
    (
        "Checklist {code} inspects {subjects}, not staff.",
        "检查表 {code} 检查的是 {subjects}，不是员工。",
    ),
    (
        "Checklist {code} inspects {subjects}, not areas.",
        "检查表 {code} 检查的是 {subjects}，不是区域。",
    ),
    ("This subject is no longer active.", "此检查对象已停用。"),
    ("Some answers do not fit the checklist.", "有的答案与检查表不符。"),
    ("{code} is answered twice", "{code} 答了两次"),
    ("{code} is timed: give measured_seconds", "{code} 需计时：请填写 measured_seconds"),
    ("missing {code}", "缺少 {code}"),
    (
        "An inspection with this id was already submitted with other answers; "
        "a submitted inspection is final (submit a correction instead).",
        "此编号的检查已用不同的答案提交过；已提交的检查不能再改（请提交更正）。",
    ),
    ("not closed for this person", "此人的这个月尚未结账"),
    ("not over yet", "尚未结束"),
    ("not a checkpoint checklist", "不是巡更点检查表"),
    ("unknown checklist or version", "没有此检查表或版本"),
    ("kind not among service_kinds", "服务类别不在该外包单位的服务范围（service_kinds）内"),
    ("not on the route: {ids}", "不在路线上：{ids}"),
    ("not for {what}", "不适用于 {what}"),
    ("Checklist {code} does not apply to {what}.", "检查表 {code} 不适用于 {what}。"),
    (
        "{code} is not an item of this checklist version for this subject",
        "{code} 不是此检查表版本中适用于该对象的检查项",
    ),
    (
        "{count} items are not answered (answer 'na' where an item does not apply).",
        "有 {count} 项未作答（不适用的项请答 na）。",
    ),
    ("Give latitude and longitude together.", "纬度和经度须一起填写。"),
    ("Give either staff_id or area_id.", "请填写 staff_id 或 area_id（二选一）。"),
    ("Give at least one site.", "请至少选择一个项目。"),
    ("Everyone but an admin works at one site at least.", "除管理员外，每个账号至少属于一个项目。"),
    ("Not at one of this user's sites.", "不在此用户的项目中。"),
    ("The linked staff member works at another site.", "关联的员工在其他项目工作。"),
    ("The leave ends before it starts.", "请假的结束日早于开始日。"),
    ("At most a year of leave at once.", "一次最多请一年的假。"),
    ("The evening peak must end after it starts.", "晚高峰须在开始之后结束。"),
    ("A checkpoint appears twice in the route.", "同一巡更点在路线中出现了两次。"),
    ("Expected minutes must not go down along the route.", "沿路线的预计分钟数不能减少。"),
    ("Photo checkpoints must be on the route.", "拍照点须在路线上。"),
    # accounts
    ("Wrong username or password.", CODE_MESSAGES["invalid_credentials"]),
    ("Wrong password.", "密码错误。"),
    ("The current password is wrong.", "当前密码错误。"),
    ("This account is disabled.", CODE_MESSAGES["account_disabled"]),
    ("Your sign-in has expired; sign in again.", CODE_MESSAGES["token_expired"]),
    ("This sign-in is not valid; sign in again.", CODE_MESSAGES["invalid_token"]),
    (
        "Sign in and send 'Authorization: Bearer <token>'.",
        "请先登录，并发送 “Authorization: Bearer <token>”。",
    ),
    (
        "Too many failed sign-ins; try again in {minutes} minutes.",
        "登录失败次数太多，请 {minutes} 分钟后再试。",
    ),
    ("The {role} role may not do this.", "{role} 角色不能做此操作。"),
    ("This account is not linked to a member of staff.", CODE_MESSAGES["no_staff_record"]),
    # records and their states
    ("This id is taken; make a new one.", CODE_MESSAGES["taken"]),
    (
        "A different photo was uploaded with this id; make a new id.",
        "此编号已上传过另一张照片，请换一个新编号。",
    ),
    ("This rectification is {status} already.", "此整改单已是 {status} 状态。"),
    ("This swap is {status}.", "此换班申请已是 {status} 状态。"),
    ("This swap is not yours to decline.", "此换班申请不由您拒绝。"),
    ("Only the colleague asked can accept this swap.", "只有被邀请的同事才能接受此换班。"),
    ("A shift that has begun or passed cannot be swapped.", CODE_MESSAGES["past_shift"]),
    ("This hand-over was acknowledged already.", "此交接班已确认。"),
    (
        "The incoming guard acknowledges a hand-over, not the outgoing one.",
        "交接班由接班人确认，而不是交班人。",
    ),
    ("Only the person coached acknowledges a coaching item.", "辅导项由被辅导的人确认。"),
    (
        "This inspection was already corrected; correct the newest record.",
        "此检查记录已更正过；请更正最新的记录。",
    ),
    ("This scan was reviewed already: {decision}.", "此打卡已审核：{decision}。"),
    (
        "This month is closed already; correct it with an adjustment.",
        CODE_MESSAGES["already_closed"],
    ),
    ("A month can be closed once it is over.", CODE_MESSAGES["month_not_over"]),
    (
        "The file has {count} problem(s); nothing was imported.",
        "文件有 {count} 处问题，未导入任何内容。",
    ),
    ("The contractor does not provide {kind}.", "该外包单位不提供 {kind} 服务。"),
    ("This is not a patrol code of ours.", "这不是本系统的巡更码。"),
    ("This is not a greeting post code of ours.", "这不是本系统的迎候岗位码。"),
]


def _compile(english: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", english)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{pattern}$", re.S)


_COMPILED = [(_compile(english), chinese) for english, chinese in SENTENCES]
# A bilingual message, Chinese first: "此打卡已审核。This scan was reviewed already."
_BILINGUAL = re.compile(r"^(?P<zh>.*[\u3400-\u9fff].*?[。！？）」])\s*(?P<en>[A-Za-z].*)$", re.S)


def sentence(text: str) -> str | None:
    """The Chinese sentence for an English one, or None when there is none."""
    for pattern, chinese in _COMPILED:
        match = pattern.match(text)
        if match:
            values = {k: WORDS.get(v, v) for k, v in match.groupdict().items()}
            return chinese.format(**values)
    return None


def localize(text, lang: str, code: str | None = None):
    """A message in the caller's language. ``code`` (the error's stable name) gives a Chinese
    sentence for an English message that has none of its own."""
    if not isinstance(text, str) or not text:
        return text
    if lang == "en":
        bilingual = _BILINGUAL.match(text)
        return bilingual.group("en") if bilingual else text
    if CHINESE.search(text):
        return text
    translated = sentence(text)
    if translated:
        return translated
    general = CODE_MESSAGES.get(code or "")
    return f"{general} {text}" if general else text


def localize_errors(errors, lang: str):
    """Every message in a validation error's ``{location: {field: [message]}}`` tree."""
    if isinstance(errors, dict):
        return {key: localize_errors(value, lang) for key, value in errors.items()}
    if isinstance(errors, list):
        return [localize_errors(value, lang) for value in errors]
    if isinstance(errors, str):
        return localize(errors, lang)
    return errors


def message_for(code: str, lang: str, english: str) -> str:
    """The ``message`` of an error: its own sentence translated, or the code's sentence."""
    if lang == "en":
        return localize(english, lang)
    return localize(english, lang, code) if english else CODE_MESSAGES.get(code, english)
