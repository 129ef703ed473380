// Alerts and the audit log 提醒与审计: each site's alert hook (the URL its overdue rounds,
// flagged scans and new anomalies are posted to; the signing secret is shown once, right after
// saving) with the recent deliveries, and the audit log of who changed what and when.
import { session } from "/app/js/session.js";
import {
  actionButton,
  activeBadge,
  answerBox,
  api,
  confirmDialog,
  fetchAll,
  field,
  h,
  localTime,
  markFieldErrors,
  mySites,
  onSubmit,
  reason,
  select,
  sitePicker,
  t,
  table,
} from "../ui.js";

export const messages = {
  zh: {
    "alerts.nav": "告警推送",
    "alerts.title": "告警推送",
    "alerts.intro":
      "巡更超时、漏巡、可疑打卡和新报告的异常会推送到项目的告警地址（以 JSON POST，带 X-Xunjian-Signature 签名，接收方用签名密钥核对）。",
    "alerts.no_sites": "还没有项目。",
    "alerts.hooks": "各项目的告警地址",
    "alerts.col_site": "项目",
    "alerts.col_url": "告警地址",
    "alerts.col_since": "设置于",
    "alerts.not_set": "未设置",
    "alerts.per_site": "设置告警地址",
    "alerts.site_hook": "{site} 的告警地址（https://…）",
    "alerts.url_hint": "接收方的公网地址。每次保存都会生成新的签名密钥，旧密钥随即失效。",
    "alerts.save": "保存地址",
    "alerts.replace_question":
      "{site} 已有告警地址。保存后会生成新的签名密钥，旧密钥立即失效，接收方需要换上新密钥。继续吗？",
    "alerts.replace_yes": "保存并换新密钥",
    "alerts.saved": "已保存。请立即复制下面的签名密钥。",
    "alerts.secret_title": "签名密钥（只显示这一次）",
    "alerts.secret_hint":
      "请现在复制，交给接收方保存，用来核对每次推送的签名。离开或刷新本页后无法再查看；遗失时重新保存地址即可生成新密钥。",
    "alerts.copy": "复制密钥",
    "alerts.copied": "已复制到剪贴板。",
    "alerts.copy_failed": "浏览器不允许自动复制：密钥已选中，请按 Ctrl+C（手机上长按）复制。",
    "alerts.deliveries": "最近的推送",
    "alerts.deliveries_caption": "{site} 最近的推送，最新的在前",
    "alerts.deliveries_none": "这个项目还没有推送记录。",
    "alerts.status_filter": "状态",
    "alerts.all": "全部",
    "alerts.reload": "刷新",
    "alerts.col_event": "事件",
    "alerts.col_created": "产生时间",
    "alerts.col_delivered": "送达时间",
    "alerts.col_attempts": "尝试次数",
    "alerts.col_status": "状态",
    "alerts.col_error": "最后一次错误",
    "alerts.status.delivered": "已送达",
    "alerts.status.waiting": "等待重试",
    "alerts.status.failed": "失败",
    "alerts.event.round.overdue": "巡更超时未开始",
    "alerts.event.presence.overdue": "关键岗位未到岗",
    "alerts.event.round.incomplete": "巡更未巡完",
    "alerts.event.round.missed": "漏巡",
    "alerts.event.scan.flagged": "可疑打卡",
    "alerts.event.anomaly.opened": "新异常",
    "alerts.event.plan.overdue": "计划检查逾期",
    "alerts.event.followup.breached": "服务时限超时",
    "alerts.shown": "已显示 {n} 条。",
    "alerts.failed": "读取失败：{message}",
    "alerts.channels": "群机器人与推送渠道",
    "alerts.channels_intro":
      "除上面的告警地址外，还可以把告警发到企业微信、钉钉、飞书群机器人（或另一个通用地址），每个渠道可选择接收哪些事件。",
    "alerts.channels_caption": "{site} 的推送渠道",
    "alerts.channels_none": "这个项目还没有群机器人。",
    "alerts.col_kind": "类型",
    "alerts.col_name": "名称",
    "alerts.col_events": "接收的事件",
    "alerts.col_signed": "签名",
    "alerts.col_state": "状态",
    "alerts.col_actions": "操作",
    "alerts.col_channel": "渠道",
    "alerts.kind.generic": "通用告警地址",
    "alerts.kind.wecom": "企业微信群机器人",
    "alerts.kind.dingtalk": "钉钉群机器人",
    "alerts.kind.feishu": "飞书群机器人",
    "alerts.all_events": "全部事件",
    "alerts.signed_yes": "已加签",
    "alerts.signed_no": "未加签",
    "alerts.add_channel": "添加推送渠道",
    "alerts.channel_kind": "渠道类型",
    "alerts.channel_name": "名称（如：物业值班群）",
    "alerts.channel_url": "机器人的 Webhook 地址",
    "alerts.channel_url_hint.wecom":
      "群设置 → 群机器人 → 添加机器人，复制 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… 。key 就是凭证，请勿外传。",
    "alerts.channel_url_hint.dingtalk":
      "群设置 → 智能群助手 → 添加机器人 → 自定义，复制 https://oapi.dingtalk.com/robot/send?access_token=… 。",
    "alerts.channel_url_hint.feishu":
      "群设置 → 群机器人 → 添加机器人 → 自定义机器人，复制 https://open.feishu.cn/open-apis/bot/v2/hook/… 。",
    "alerts.channel_url_hint.generic": "接收方的公网地址；保存后会生成签名密钥，只显示一次。",
    "alerts.channel_secret": "签名密钥",
    "alerts.channel_secret_hint.dingtalk": "安全设置选「加签」时，填写以 SEC 开头的密钥；保存后不再显示。",
    "alerts.channel_secret_hint.feishu": "安全设置开启「签名校验」时，填写其密钥；保存后不再显示。",
    "alerts.channel_secret_hint.none": "这种渠道不用填写。",
    "alerts.channel_events": "接收的事件（都不选 = 全部事件）",
    "alerts.channel_save": "添加渠道",
    "alerts.channel_saved": "已添加。",
    "alerts.channel_saved_generic": "已添加。请立即复制下面的签名密钥。",
    "alerts.test": "发送测试消息",
    "alerts.test_ok": "平台已接收：{answer}",
    "alerts.test_refused": "平台未接收：{answer}",
    "alerts.deactivate": "停用",
    "alerts.deactivate_question": "停用「{name}」？之后的告警不再发到这个渠道。",
    "alerts.deactivated": "已停用。",
    "alerts.activate": "重新启用",
    "alerts.activated": "已启用。",
    "alerts.unnamed": "（未命名）",
    "alerts.offline": "连不上服务器，请检查网络。",
    "audit.nav": "操作日志",
    "audit.title": "操作日志",
    "audit.filters": "筛选",
    "audit.who": "操作人",
    "audit.who_all": "全部人员",
    "audit.who_id": "操作人账号编号",
    "audit.who_id_hint": "可不填。人事账号不能列出全部账号，请填写账号编号。",
    "audit.entity": "对象",
    "audit.entity_all": "全部对象",
    "audit.action": "操作",
    "audit.action_all": "全部操作",
    "audit.since": "从（日期）",
    "audit.until": "到（日期）",
    "audit.search": "查询",
    "audit.list": "变更记录",
    "audit.caption": "操作日志，最新的在前",
    "audit.none": "没有符合条件的记录。",
    "audit.col_at": "时间",
    "audit.col_who": "操作人",
    "audit.col_action": "操作",
    "audit.col_entity": "对象",
    "audit.col_changes": "变更内容",
    "audit.system": "系统",
    "audit.user_n": "账号 #{id}",
    "audit.entity_id": "{entity} #{id}",
    "audit.more": "加载更多",
    "audit.end": "已显示全部 {n} 条。",
    "audit.count": "已显示 {n} 条。",
    "audit.scanned": "已查看最近 {seen} 条记录，其中 {n} 条符合条件。",
    "audit.reason": "说明：{text}",
    "audit.fields_more": "另有 {n} 项",
    "audit.created": "新建时的内容",
    "audit.deleted": "删除前的内容",
    "audit.empty_value": "（空）",
    "audit.yes": "是",
    "audit.no": "否",
    "audit.until_before_since": "结束日期不能早于开始日期。",
    "audit.bad_user_id": "请填写数字账号编号。",
    "audit.e.site": "项目",
    "audit.e.area": "区域",
    "audit.e.post": "岗位",
    "audit.e.team": "班组",
    "audit.e.staff": "员工",
    "audit.e.user": "账号",
    "audit.e.checkpoint": "巡更点",
    "audit.e.route": "巡更路线",
    "audit.e.schedule": "巡更计划",
    "audit.e.contractor": "服务供方",
    "audit.e.anomaly": "异常",
    "audit.e.greeting_settings": "迎候设置",
    "audit.e.scan": "打卡",
    "audit.e.greeting_shift": "迎候班次",
    "audit.e.inspection": "检查记录",
    "audit.e.monthly_record": "月度考核",
    "audit.a.create": "新建",
    "audit.a.update": "修改",
    "audit.a.review": "复核打卡",
    "audit.a.delete": "删除",
    "audit.a.set-sites": "设置可见项目",
    "audit.a.set-stops": "设置路线点位",
    "audit.a.rotate-key": "更换二维码密钥",
    "audit.a.rota": "排迎候班",
    "audit.a.set-webhook": "设置告警地址",
    "audit.a.add-channel": "添加推送渠道",
    "audit.a.update-channel": "修改推送渠道",
    "audit.a.deactivate-channel": "停用推送渠道",
    "audit.a.test-channel": "测试推送渠道",
    "audit.a.close-month": "月度关账",
    "audit.a.adjust": "调整考核",
    "audit.a.correct": "更正检查",
    "audit.snapshot": "当时的对象内容（{n} 项）",
    "audit.f.name": "名称",
    "audit.f.address": "地址",
    "audit.f.phone": "电话",
    "audit.f.active": "在用",
    "audit.f.code": "编号",
    "audit.f.site_type": "项目类型",
    "audit.f.timezone": "时区",
    "audit.f.workday_start": "上班时间",
    "audit.f.evening_peak_start": "晚高峰开始",
    "audit.f.evening_peak_end": "晚高峰结束",
    "audit.f.service_grade": "服务等级",
    "audit.f.employee_no": "工号",
    "audit.f.gender": "性别",
    "audit.f.job": "工种",
    "audit.f.team": "班组",
    "audit.f.site": "项目",
    "audit.f.area": "区域",
    "audit.f.area_type": "区域类型",
    "audit.f.kind": "类型",
    "audit.f.is_key_post": "关键岗位",
    "audit.f.display_name": "显示名",
    "audit.f.role": "角色",
    "audit.f.username": "账号",
    "audit.f.language": "语言",
    "audit.f.staff": "员工",
    "audit.f.latitude": "纬度",
    "audit.f.longitude": "经度",
    "audit.f.radius_m": "半径（米）",
    "audit.f.checklist": "检查表",
    "audit.f.route": "路线",
    "audit.f.post": "岗位",
    "audit.f.start_time": "开始时间",
    "audit.f.end_time": "结束时间",
    "audit.f.every_minutes": "间隔（分钟）",
    "audit.f.weekdays": "星期",
    "audit.f.start_grace_minutes": "开始宽限（分钟）",
    "audit.f.duration_minutes": "时长（分钟）",
    "audit.f.ordered": "须按顺序",
    "audit.f.status": "状态",
    "audit.f.owner": "负责人",
    "audit.f.resolution_note": "处理说明",
    "audit.f.contact_name": "联系人",
    "audit.f.service_kinds": "服务类别",
    "audit.f.updated_at": "更新时间",
    "audit.f.note": "备注",
    "audit.v.confirmed": "确认属实",
    "audit.v.dismissed": "驳回",
    "audit.v.open": "未处理",
    "audit.v.resolved": "已处理",
    "audit.v.closed": "已关闭",
    "audit.v.done": "已完成",
    "audit.v.verified": "已验收",
    "audit.v.reopened": "已退回",
    "audit.v.office": "写字楼",
    "audit.v.residential": "住宅小区",
    "audit.v.mixed": "综合体",
    "audit.v.male": "男",
    "audit.v.female": "女",
    "audit.f.review_decision": "复核结论",
    "audit.f.review_note": "复核说明",
    "audit.f.reviewed_at": "复核时间",
    "audit.f.reviewed_by": "复核人",
    "audit.f.manager": "管理人员",
  },
  en: {
    "alerts.nav": "Alert hooks",
    "alerts.title": "Alert hooks",
    "alerts.intro":
      "Overdue and missed rounds, flagged scans and new anomalies are posted to the site's alert URL (JSON, signed in X-Xunjian-Signature; the receiver checks it with the signing secret).",
    "alerts.no_sites": "No sites yet.",
    "alerts.hooks": "Alert URL of each site",
    "alerts.col_site": "Site",
    "alerts.col_url": "Alert URL",
    "alerts.col_since": "Set on",
    "alerts.not_set": "Not set",
    "alerts.per_site": "Set an alert URL",
    "alerts.site_hook": "Alert URL of {site} (https://…)",
    "alerts.url_hint":
      "The receiver's public address. Each save makes a new signing secret; the old one stops working.",
    "alerts.save": "Save URL",
    "alerts.replace_question":
      "{site} already has an alert URL. Saving makes a new signing secret and the old one stops working at once; the receiver needs the new one. Go on?",
    "alerts.replace_yes": "Save with a new secret",
    "alerts.saved": "Saved. Copy the signing secret below now.",
    "alerts.secret_title": "Signing secret (shown this once)",
    "alerts.secret_hint":
      "Copy it now and give it to the receiver, who checks each post's signature with it. It cannot be shown again after you leave or reload this page; if it is lost, save the URL again for a new one.",
    "alerts.copy": "Copy the secret",
    "alerts.copied": "Copied to the clipboard.",
    "alerts.copy_failed": "The browser does not allow copying here: the secret is selected, press Ctrl+C.",
    "alerts.deliveries": "Recent alerts",
    "alerts.deliveries_caption": "Recent alerts of {site}, newest first",
    "alerts.deliveries_none": "No alerts for this site yet.",
    "alerts.status_filter": "Status",
    "alerts.all": "All",
    "alerts.reload": "Reload",
    "alerts.col_event": "Event",
    "alerts.col_created": "Raised",
    "alerts.col_delivered": "Delivered",
    "alerts.col_attempts": "Attempts",
    "alerts.col_status": "Status",
    "alerts.col_error": "Last error",
    "alerts.status.delivered": "Delivered",
    "alerts.status.waiting": "Waiting",
    "alerts.status.failed": "Failed",
    "alerts.event.round.overdue": "Round overdue",
    "alerts.event.presence.overdue": "Key post not manned",
    "alerts.event.round.incomplete": "Round incomplete",
    "alerts.event.round.missed": "Round missed",
    "alerts.event.scan.flagged": "Flagged scan",
    "alerts.event.anomaly.opened": "New anomaly",
    "alerts.event.plan.overdue": "Planned inspection overdue",
    "alerts.event.followup.breached": "Follow-up promise broken",
    "alerts.shown": "{n} shown.",
    "alerts.failed": "Could not read this: {message}",
    "alerts.channels": "Group robots and channels",
    "alerts.channels_intro":
      "Besides the alert URL above, alerts can go to WeCom, DingTalk and Feishu group robots (or another generic URL); each channel takes the events chosen for it.",
    "alerts.channels_caption": "Channels of {site}",
    "alerts.channels_none": "No group robots for this site yet.",
    "alerts.col_kind": "Kind",
    "alerts.col_name": "Name",
    "alerts.col_events": "Events",
    "alerts.col_signed": "Signing",
    "alerts.col_state": "State",
    "alerts.col_actions": "Actions",
    "alerts.col_channel": "Channel",
    "alerts.kind.generic": "Generic alert URL",
    "alerts.kind.wecom": "WeCom group robot",
    "alerts.kind.dingtalk": "DingTalk group robot",
    "alerts.kind.feishu": "Feishu group robot",
    "alerts.all_events": "Every event",
    "alerts.signed_yes": "Signed",
    "alerts.signed_no": "Not signed",
    "alerts.add_channel": "Add a channel",
    "alerts.channel_kind": "Kind",
    "alerts.channel_name": "Name (e.g. duty group)",
    "alerts.channel_url": "The robot's webhook URL",
    "alerts.channel_url_hint.wecom":
      "Group settings → Group robots → Add, copy https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…. The key is the credential: keep it private.",
    "alerts.channel_url_hint.dingtalk":
      "Group settings → Group assistant → Add robot → Custom, copy https://oapi.dingtalk.com/robot/send?access_token=….",
    "alerts.channel_url_hint.feishu":
      "Group settings → Bots → Add bot → Custom bot, copy https://open.feishu.cn/open-apis/bot/v2/hook/….",
    "alerts.channel_url_hint.generic":
      "The receiver's public address; a signing secret is made and shown once.",
    "alerts.channel_secret": "Signing secret",
    "alerts.channel_secret_hint.dingtalk":
      "With the 加签 security setting, the secret starting with SEC; never shown again.",
    "alerts.channel_secret_hint.feishu":
      "With signature verification on, its secret; never shown again.",
    "alerts.channel_secret_hint.none": "Not needed for this kind.",
    "alerts.channel_events": "Events (none chosen = every event)",
    "alerts.channel_save": "Add the channel",
    "alerts.channel_saved": "Added.",
    "alerts.channel_saved_generic": "Added. Copy the signing secret below now.",
    "alerts.test": "Send a test message",
    "alerts.test_ok": "Taken by the platform: {answer}",
    "alerts.test_refused": "Not taken by the platform: {answer}",
    "alerts.deactivate": "Switch off",
    "alerts.deactivate_question": "Switch off “{name}”? Alerts will no longer go to this channel.",
    "alerts.deactivated": "Switched off.",
    "alerts.activate": "Switch on again",
    "alerts.activated": "Switched on.",
    "alerts.unnamed": "(no name)",
    "alerts.offline": "Cannot reach the server; check the connection.",
    "audit.nav": "Audit log",
    "audit.title": "Audit log",
    "audit.filters": "Filters",
    "audit.who": "Who",
    "audit.who_all": "Everyone",
    "audit.who_id": "Account number of who",
    "audit.who_id_hint": "Optional. HR cannot list the accounts: enter an account number.",
    "audit.entity": "What",
    "audit.entity_all": "Everything",
    "audit.action": "Action",
    "audit.action_all": "All actions",
    "audit.since": "From (date)",
    "audit.until": "To (date)",
    "audit.search": "Search",
    "audit.list": "Changes",
    "audit.caption": "Audit log, newest first",
    "audit.none": "Nothing matches.",
    "audit.col_at": "When",
    "audit.col_who": "Who",
    "audit.col_action": "Action",
    "audit.col_entity": "What",
    "audit.col_changes": "Changes",
    "audit.system": "System",
    "audit.user_n": "Account #{id}",
    "audit.entity_id": "{entity} #{id}",
    "audit.more": "Load more",
    "audit.end": "All {n} shown.",
    "audit.count": "{n} shown.",
    "audit.scanned": "Looked through the latest {seen} entries; {n} match.",
    "audit.reason": "Note: {text}",
    "audit.fields_more": "{n} more",
    "audit.created": "Created with",
    "audit.deleted": "Before deletion",
    "audit.empty_value": "(empty)",
    "audit.yes": "yes",
    "audit.no": "no",
    "audit.until_before_since": "The end date is before the start date.",
    "audit.bad_user_id": "Enter an account number.",
    "audit.e.site": "Site",
    "audit.e.area": "Area",
    "audit.e.post": "Post",
    "audit.e.team": "Team",
    "audit.e.staff": "Staff",
    "audit.e.user": "Account",
    "audit.e.checkpoint": "Checkpoint",
    "audit.e.route": "Route",
    "audit.e.schedule": "Schedule",
    "audit.e.contractor": "Contractor",
    "audit.e.anomaly": "Anomaly",
    "audit.e.greeting_settings": "Greeting settings",
    "audit.e.scan": "Scan",
    "audit.e.greeting_shift": "Greeting shift",
    "audit.e.inspection": "Inspection",
    "audit.e.monthly_record": "Monthly record",
    "audit.a.create": "Created",
    "audit.a.update": "Changed",
    "audit.a.review": "Scan reviewed",
    "audit.a.delete": "Deleted",
    "audit.a.set-sites": "Sites set",
    "audit.a.set-stops": "Route stops set",
    "audit.a.rotate-key": "QR key changed",
    "audit.a.rota": "Greeting rota made",
    "audit.a.set-webhook": "Alert URL set",
    "audit.a.add-channel": "Channel added",
    "audit.a.update-channel": "Channel changed",
    "audit.a.deactivate-channel": "Channel switched off",
    "audit.a.test-channel": "Channel tested",
    "audit.a.close-month": "Month closed",
    "audit.a.adjust": "Record adjusted",
    "audit.a.correct": "Inspection corrected",
    "audit.snapshot": "The object then ({n} fields)",
    "audit.f.name": "Name",
    "audit.f.address": "Address",
    "audit.f.phone": "Phone",
    "audit.f.active": "Active",
    "audit.f.code": "Code",
    "audit.f.site_type": "Site type",
    "audit.f.timezone": "Time zone",
    "audit.f.workday_start": "Working day starts",
    "audit.f.evening_peak_start": "Evening peak starts",
    "audit.f.evening_peak_end": "Evening peak ends",
    "audit.f.service_grade": "Service grade",
    "audit.f.employee_no": "Employee no.",
    "audit.f.gender": "Gender",
    "audit.f.job": "Job",
    "audit.f.team": "Team",
    "audit.f.site": "Site",
    "audit.f.area": "Area",
    "audit.f.area_type": "Area type",
    "audit.f.kind": "Kind",
    "audit.f.is_key_post": "Key post",
    "audit.f.display_name": "Display name",
    "audit.f.role": "Role",
    "audit.f.username": "User name",
    "audit.f.language": "Language",
    "audit.f.staff": "Staff",
    "audit.f.latitude": "Latitude",
    "audit.f.longitude": "Longitude",
    "audit.f.radius_m": "Radius (m)",
    "audit.f.checklist": "Checklist",
    "audit.f.route": "Route",
    "audit.f.post": "Post",
    "audit.f.start_time": "Starts",
    "audit.f.end_time": "Ends",
    "audit.f.every_minutes": "Every (min)",
    "audit.f.weekdays": "Weekdays",
    "audit.f.start_grace_minutes": "Start grace (min)",
    "audit.f.duration_minutes": "Duration (min)",
    "audit.f.ordered": "In order",
    "audit.f.status": "Status",
    "audit.f.owner": "Owner",
    "audit.f.resolution_note": "Resolution",
    "audit.f.contact_name": "Contact",
    "audit.f.service_kinds": "Services",
    "audit.f.updated_at": "Updated",
    "audit.f.note": "Note",
    "audit.v.confirmed": "Confirmed",
    "audit.v.dismissed": "Dismissed",
    "audit.v.open": "Open",
    "audit.v.resolved": "Resolved",
    "audit.v.closed": "Closed",
    "audit.v.done": "Done",
    "audit.v.verified": "Verified",
    "audit.v.reopened": "Reopened",
    "audit.v.office": "Office tower",
    "audit.v.residential": "Residential estate",
    "audit.v.mixed": "Mixed",
    "audit.v.male": "Male",
    "audit.v.female": "Female",
    "audit.f.review_decision": "Review",
    "audit.f.review_note": "Review note",
    "audit.f.reviewed_at": "Reviewed at",
    "audit.f.reviewed_by": "Reviewed by",
    "audit.f.manager": "Manager",
  },
};

// What the audit log records (api/audit_trail.py: the table's name; models/: a few by hand).
const ENTITIES = [
  "site",
  "area",
  "post",
  "team",
  "staff",
  "user",
  "checkpoint",
  "route",
  "schedule",
  "contractor",
  "anomaly",
  "scan",
  "greeting_settings",
  "greeting_shift",
  "inspection",
  "monthly_record",
];
const ACTIONS = [
  "create",
  "update",
  "review",
  "set-sites",
  "set-stops",
  "rotate-key",
  "rota",
  "set-webhook",
  "add-channel",
  "update-channel",
  "deactivate-channel",
  "test-channel",
  "close-month",
  "adjust",
  "correct",
];
const DELIVERY_STATES = ["delivered", "waiting", "failed"];
const CHANNEL_KINDS = ["wecom", "dingtalk", "feishu", "generic"];
const EVENTS = [
  "round.overdue",
  "presence.overdue",
  "round.incomplete",
  "round.missed",
  "scan.flagged",
  "anomaly.opened",
  "plan.overdue",
  "followup.breached",
];
const PAGE = 50;

export const routes = { alerts: renderAlerts, audit: renderAudit };

export function nav(user) {
  const entries = [];
  if (user.role === "admin") entries.push({ route: "alerts", label: t("alerts.nav"), group: "alerts" });
  if (user.role === "admin" || user.role === "hr")
    entries.push({ route: "audit", label: t("audit.nav"), group: "alerts" });
  return entries;
}

// --- shared bits ------------------------------------------------------------------------

/** What went wrong, in words: the server's refusal, or that the server could not be reached. */
function why(error) {
  return error?.status === 0 ? t("alerts.offline") : reason(error);
}

function refuse(answer, error) {
  if (error?.status !== 0) return answer.refused(error);
  answer.className = "answer error";
  answer.textContent = t("alerts.offline");
}

/** The words for a code; an unknown code shows as it is. */
function word(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** Label each cell with its column, for the one-column layout of a narrow screen. */
function labelCells(node, columns) {
  for (const row of node.querySelectorAll?.("tbody tr") || []) {
    [...row.children].forEach((cell, i) => cell.setAttribute("data-label", columns[i].label));
  }
  return node;
}

// --- alert hooks ------------------------------------------------------------------------

async function renderAlerts(view) {
  view.append(h("h1", {}, t("alerts.title")), h("p", { class: "muted" }, t("alerts.intro")));
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("alerts.no_sites")));
    return;
  }
  const siteName = (id) => sites.find((s) => s.id === id)?.name || `#${id}`;
  let hooks = [];

  const hookList = h("div", { id: "webhook-list", class: "al-stack" });
  const hooksCard = h("section", { class: "card", "aria-labelledby": "webhook-list-heading" });
  hooksCard.append(h("h2", { id: "webhook-list-heading" }, t("alerts.hooks")), hookList);

  async function loadHooks() {
    try {
      hooks = await api("GET", "/webhooks");
    } catch (error) {
      hookList.replaceChildren(h("p", { class: "error" }, t("alerts.failed", { message: why(error) })));
      return;
    }
    const bySite = new Map(hooks.map((hook) => [hook.site_id, hook]));
    const columns = [
      { label: t("alerts.col_site"), value: (s) => s.name },
      {
        label: t("alerts.col_url"),
        value: (s) =>
          bySite.has(s.id)
            ? h("span", { class: "al-url" }, bySite.get(s.id).url)
            : h("span", { class: "badge muted" }, t("alerts.not_set")),
      },
      { label: t("alerts.col_since"), value: (s) => localTime(bySite.get(s.id)?.created_at) },
    ];
    hookList.replaceChildren(
      labelCells(
        table(columns, sites, {
          caption: t("alerts.hooks"),
          rowAttrs: (s) => ({ "data-id": s.id, "data-set": bySite.has(s.id) ? "yes" : "no" }),
        }),
        columns,
      ),
    );
  }

  const picker = sitePicker(sites, (siteId) => showSite(siteId));
  const siteBody = h("div", {});
  const siteCard = h(
    "section",
    { class: "card", id: "webhook-site", "aria-labelledby": "webhook-site-heading" },
    h("h2", { id: "webhook-site-heading" }, t("alerts.per_site")),
    h("div", { class: "al-picker" }, picker.node),
    siteBody,
  );
  view.append(hooksCard, siteCard);
  await loadHooks();
  await showSite(picker.value());

  async function showSite(siteId) {
    const site = siteName(siteId);
    const current = hooks.find((hook) => hook.site_id === siteId);
    const url = h("input", {
      name: "url",
      id: "webhook-url",
      type: "url",
      inputmode: "url",
      autocomplete: "off",
      maxlength: "500",
      placeholder: "https://",
      value: current?.url || "",
      required: true,
    });
    const answer = answerBox({ id: "webhook-answer" });
    const secretSlot = h("div", { id: "webhook-secret-slot" });
    const form = h(
      "form",
      { id: "webhook-form", novalidate: true },
      field(t("alerts.site_hook", { site }), url, t("alerts.url_hint")),
      h("button", { type: "submit", class: "primary", id: "webhook-save" }, t("alerts.save")),
      answer,
      secretSlot,
    );
    // Replacing a hook makes a new secret: ask first, then say what the server answered.
    form.addEventListener(
      "submit",
      async (event) => {
        if (form.dataset.confirmed === "yes") return;
        const existing = hooks.find((hook) => hook.site_id === siteId);
        if (!existing) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        if (await confirmDialog(t("alerts.replace_question", { site }), { yes: t("alerts.replace_yes") })) {
          form.dataset.confirmed = "yes";
          form.requestSubmit();
        }
      },
      { capture: true },
    );
    onSubmit(
      form,
      answer,
      async (values) => {
        secretSlot.replaceChildren();
        try {
          return await api("POST", "/webhooks", { json: { site_id: siteId, url: values.url.trim() } });
        } finally {
          delete form.dataset.confirmed;
        }
      },
      {
        ok: () => t("alerts.saved"),
        after: async (result) => {
          secretSlot.replaceChildren(secretBox(result.secret));
          await loadHooks();
        },
      },
    );
    const deliveries = deliveriesPanel(siteId, site);
    const channels = channelsPanel(siteId, site, async () => {
      await loadHooks();
      await deliveries.load();
    });
    siteBody.replaceChildren(form, channels.node, deliveries.node);
    await Promise.all([channels.load(), deliveries.load()]);
  }
}

/** The signing secret, shown once, with a way to copy it (ids start with `prefix`). */
function secretBox(secret, prefix = "webhook") {
  const code = h("code", { id: `${prefix}-secret` }, secret);
  const said = h("p", {
    class: "answer",
    role: "status",
    "aria-live": "polite",
    id: `${prefix}-copy-answer`,
  });
  const copy = h("button", { type: "button", class: "small", id: `${prefix}-copy` }, t("alerts.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(secret);
      said.className = "answer ok";
      said.textContent = t("alerts.copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      said.className = "answer warn";
      said.textContent = t("alerts.copy_failed");
    }
  });
  return h(
    "div",
    { class: "warning al-secret", role: "region", "aria-labelledby": `${prefix}-secret-title` },
    h("strong", { id: `${prefix}-secret-title` }, t("alerts.secret_title")),
    code,
    h("p", { class: "hint" }, t("alerts.secret_hint")),
    copy,
    said,
  );
}

/** A channel as "kind · name" (a delivery not yet handed to a channel: a dash). */
function channelWords(kind, name) {
  if (!kind) return h("span", { class: "muted" }, "—");
  return name ? `${word("alerts.kind", kind)} · ${name}` : word("alerts.kind", kind);
}

/**
 * A site's channels (group robots and generic URLs): the list with a test button whose answer
 * is the platform's, shown in its row, a switch off/on, and the form to add one.
 */
function channelsPanel(siteId, site, changed) {
  const list = h("div", { id: "channel-list", class: "al-stack" });
  const listAnswer = answerBox({ id: "channel-list-answer" });
  const kind = select(
    "kind",
    CHANNEL_KINDS.map((k) => [k, t(`alerts.kind.${k}`)]),
    "wecom",
    { id: "channel-kind" },
  );
  const name = h("input", { name: "name", id: "channel-name", maxlength: "60", autocomplete: "off" });
  const url = h("input", {
    name: "url",
    id: "channel-url",
    type: "url",
    inputmode: "url",
    autocomplete: "off",
    maxlength: "500",
    placeholder: "https://",
    required: true,
  });
  const secret = h("input", {
    name: "secret",
    id: "channel-secret",
    type: "password",
    autocomplete: "new-password",
    maxlength: "200",
  });
  const boxes = EVENTS.map((event) =>
    h(
      "label",
      {},
      h("input", { type: "checkbox", name: "events", value: event, "data-skip": "" }),
      word("alerts.event", event),
    ),
  );
  const urlField = field(t("alerts.channel_url"), url, " ");
  const secretField = field(t("alerts.channel_secret"), secret, " ");
  const answer = answerBox({ id: "channel-answer" });
  const secretSlot = h("div", { id: "channel-secret-slot" });
  const form = h(
    "form",
    { id: "channel-form", novalidate: true, "aria-labelledby": "channel-form-heading" },
    h("h4", { id: "channel-form-heading" }, t("alerts.add_channel")),
    h(
      "div",
      { class: "columns" },
      field(t("alerts.channel_kind"), kind),
      field(t("alerts.channel_name"), name),
    ),
    urlField,
    secretField,
    h("fieldset", {}, h("legend", {}, t("alerts.channel_events")), h("div", { class: "checks" }, boxes)),
    h("button", { type: "submit", class: "primary", id: "channel-save" }, t("alerts.channel_save")),
    answer,
    secretSlot,
  );
  function kindChanged() {
    const k = kind.value;
    urlField.querySelector(".hint").textContent = t(`alerts.channel_url_hint.${k}`);
    const signs = k === "dingtalk" || k === "feishu";
    secret.disabled = !signs;
    if (!signs) secret.value = "";
    secretField.querySelector(".hint").textContent = t(
      signs ? `alerts.channel_secret_hint.${k}` : "alerts.channel_secret_hint.none",
    );
  }
  kind.addEventListener("change", kindChanged);
  kindChanged();
  onSubmit(
    form,
    answer,
    async (values) => {
      secretSlot.replaceChildren();
      const events = [...form.querySelectorAll("input[name=events]:checked")].map((box) => box.value);
      const body = {
        site_id: siteId,
        kind: values.kind,
        name: values.name.trim(),
        url: values.url.trim(),
        events,
      };
      if (!secret.disabled && values.secret.trim()) body.secret = values.secret.trim();
      return api("POST", "/webhooks/channels", { json: body });
    },
    {
      ok: (result) => t(result.secret ? "alerts.channel_saved_generic" : "alerts.channel_saved"),
      after: async (result) => {
        if (result.secret) secretSlot.replaceChildren(secretBox(result.secret, "channel"));
        url.value = secret.value = name.value = "";
        for (const box of form.querySelectorAll("input[name=events]")) box.checked = false;
        await load();
        await changed();
      },
    },
  );

  function testButton(channel, said) {
    const button = h(
      "button",
      { type: "button", class: "small", "data-action": "test", id: `channel-test-${channel.id}` },
      t("alerts.test"),
    );
    button.addEventListener("click", async () => {
      if (button.disabled) return;
      button.disabled = true;
      said.busy();
      try {
        const result = await api("POST", `/webhooks/channels/${channel.id}/test`);
        said.className = result.ok ? "answer ok" : "answer error";
        said.textContent = t(result.ok ? "alerts.test_ok" : "alerts.test_refused", { answer: result.answer });
      } catch (error) {
        refuse(said, error);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  function switchButton(channel, said) {
    const label = channel.active ? t("alerts.deactivate") : t("alerts.activate");
    return actionButton(
      label,
      said,
      () =>
        channel.active
          ? api("DELETE", `/webhooks/channels/${channel.id}`)
          : api("PATCH", `/webhooks/channels/${channel.id}`, { json: { active: true } }),
      {
        attrs: { class: channel.active ? "small danger" : "small", "data-action": "switch" },
        question: channel.active
          ? t("alerts.deactivate_question", { name: channel.name || word("alerts.kind", channel.kind) })
          : undefined,
        danger: channel.active,
        ok: () => t(channel.active ? "alerts.deactivated" : "alerts.activated"),
        after: async () => {
          await load(said);
          await changed();
        },
      },
    );
  }

  const columns = [
    { label: t("alerts.col_kind"), value: (c) => word("alerts.kind", c.kind) },
    {
      label: t("alerts.col_name"),
      value: (c) => c.name || h("span", { class: "muted" }, t("alerts.unnamed")),
    },
    { label: t("alerts.col_url"), value: (c) => h("span", { class: "al-url" }, c.url) },
    {
      label: t("alerts.col_events"),
      value: (c) =>
        c.events.length ? c.events.map((e) => word("alerts.event", e)).join("、") : t("alerts.all_events"),
    },
    {
      label: t("alerts.col_signed"),
      value: (c) =>
        h(
          "span",
          { class: c.signed ? "badge ok" : "badge muted" },
          t(c.signed ? "alerts.signed_yes" : "alerts.signed_no"),
        ),
    },
    { label: t("alerts.col_state"), value: (c) => activeBadge(c.active) },
    {
      label: t("alerts.col_actions"),
      value: (c) => {
        const said = answerBox({ id: `channel-said-${c.id}` });
        return h("div", { class: "al-actions" }, testButton(c, said), " ", switchButton(c, said), said);
      },
    },
  ];

  async function load(keep = null) {
    let channels;
    try {
      channels = await api("GET", "/webhooks/channels", { query: { site_id: siteId } });
    } catch (error) {
      refuse(listAnswer, error);
      return;
    }
    listAnswer.clear?.();
    list.replaceChildren(
      labelCells(
        table(columns, channels, {
          caption: t("alerts.channels_caption", { site }),
          empty: t("alerts.channels_none"),
          rowAttrs: (c) => ({ "data-id": c.id, "data-kind": c.kind, "data-active": c.active ? "yes" : "no" }),
        }),
        columns,
      ),
    );
    if (keep) {
      // The switched row's answer stays where it happened.
      const id = keep.id;
      const again = list.querySelector(`#${id}`);
      if (again) again.replaceWith(keep);
    }
  }

  const node = h(
    "div",
    { id: "channel-panel" },
    h("h3", {}, t("alerts.channels")),
    h("p", { class: "muted small" }, t("alerts.channels_intro")),
    list,
    listAnswer,
    form,
  );
  return { node, load };
}

/** A site's recent deliveries, newest first, a page at a time. */
function deliveriesPanel(siteId, site) {
  const status = select(
    "status",
    [["", t("alerts.all")], ...DELIVERY_STATES.map((s) => [s, t(`alerts.status.${s}`)])],
    "",
    {
      id: "delivery-status",
    },
  );
  const reload = h("button", { type: "button", class: "small", id: "delivery-reload" }, t("alerts.reload"));
  const list = h("div", { id: "delivery-list", class: "al-stack" });
  const more = h("button", { type: "button", id: "delivery-more", hidden: true }, t("ui.more"));
  const note = h("p", { class: "muted small", id: "delivery-note" });
  const node = h(
    "div",
    {},
    h("h3", {}, t("alerts.deliveries")),
    h("div", { class: "al-bar" }, field(t("alerts.status_filter"), status), h("p", {}, reload)),
    list,
    note,
    more,
  );
  let rows = [];
  let page = 0;
  let loading = false;
  const columns = [
    { label: t("alerts.col_event"), value: (d) => word("alerts.event", d.event) },
    { label: t("alerts.col_channel"), value: (d) => channelWords(d.channel_kind, d.channel_name) },
    { label: t("alerts.col_created"), value: (d) => localTime(d.created_at) },
    {
      label: t("alerts.col_delivered"),
      value: (d) => (d.delivered_at ? localTime(d.delivered_at) : h("span", { class: "muted" }, "—")),
    },
    { label: t("alerts.col_attempts"), value: (d) => String(d.attempts ?? ""), class: "num" },
    {
      label: t("alerts.col_status"),
      value: (d) =>
        h(
          "span",
          { class: `badge ${{ delivered: "ok", waiting: "warn", failed: "error" }[d.status] || "muted"}` },
          word("alerts.status", d.status),
        ),
    },
    {
      label: t("alerts.col_error"),
      value: (d) => (d.last_error ? h("span", { class: "al-error" }, d.last_error) : ""),
    },
  ];
  function draw() {
    list.replaceChildren(
      labelCells(
        table(columns, rows, {
          caption: t("alerts.deliveries_caption", { site }),
          empty: t("alerts.deliveries_none"),
          rowAttrs: (d) => ({ "data-id": d.id, "data-status": d.status }),
        }),
        columns,
      ),
    );
  }
  async function load(next = false) {
    if (loading) return;
    loading = true;
    more.disabled = reload.disabled = true;
    const wanted = next ? page + 1 : 1;
    try {
      const batch = await api("GET", "/webhooks/deliveries", {
        query: { site_id: siteId, status: status.value, page: wanted, page_size: PAGE },
      });
      rows = next ? [...rows, ...batch] : batch;
      page = wanted;
      more.hidden = batch.length < PAGE;
      note.className = "muted small";
      note.textContent = rows.length ? t("alerts.shown", { n: rows.length }) : "";
      draw();
    } catch (error) {
      note.className = "error";
      note.textContent = t("alerts.failed", { message: why(error) });
      if (!next) list.replaceChildren();
    } finally {
      loading = false;
      more.disabled = reload.disabled = false;
    }
  }
  status.addEventListener("change", () => load());
  reload.addEventListener("click", () => load());
  more.addEventListener("click", () => load(true));
  return { node, load };
}

// --- audit log --------------------------------------------------------------------------

async function renderAudit(view) {
  view.append(h("h1", {}, t("audit.title")));
  const admin = session()?.user?.role === "admin";
  const [sites, users] = await Promise.all([
    mySites(),
    admin ? fetchAll("/users").catch(() => []) : Promise.resolve([]),
  ]);
  const userMap = new Map(users.map((u) => [u.id, u]));
  for (const user of users) userNames.set(user.id, user.display_name || user.username);
  const siteMap = new Map(sites.map((s) => [s.id, s]));
  for (const site of sites) siteNames.set(site.id, site.name);

  const who = admin
    ? select(
        "user_id",
        [
          ["", t("audit.who_all")],
          ...users
            .slice()
            .sort((a, b) => (a.display_name || a.username).localeCompare(b.display_name || b.username, "zh"))
            .map((u) => [u.id, `${u.display_name || u.username}（${u.username}）`]),
        ],
        "",
        { id: "audit-user" },
      )
    : h("input", {
        name: "user_id",
        id: "audit-user",
        type: "number",
        min: "1",
        step: "1",
        inputmode: "numeric",
      });
  const entity = select(
    "entity",
    [["", t("audit.entity_all")], ...ENTITIES.map((e) => [e, word("audit.e", e)])],
    "",
    { id: "audit-entity" },
  );
  const action = select(
    "action",
    [["", t("audit.action_all")], ...ACTIONS.map((a) => [a, word("audit.a", a)])],
    "",
    { id: "audit-action" },
  );
  const since = h("input", { name: "since", id: "audit-since", type: "date" });
  const until = h("input", { name: "until", id: "audit-until", type: "date" });
  const picker = sitePicker(sites, () => search(), { allowAll: true });
  const answer = answerBox({ id: "audit-answer" });
  const form = h(
    "form",
    { id: "audit-filters", class: "card", novalidate: true, "aria-labelledby": "audit-filters-heading" },
    h("h2", { id: "audit-filters-heading" }, t("audit.filters")),
    h(
      "div",
      { class: "au-filters" },
      picker.node,
      admin ? field(t("audit.who"), who) : field(t("audit.who_id"), who, t("audit.who_id_hint")),
      field(t("audit.entity"), entity),
      field(t("audit.action"), action),
      field(t("audit.since"), since),
      field(t("audit.until"), until),
      h(
        "div",
        { class: "au-go" },
        h("button", { type: "submit", class: "primary", id: "audit-search" }, t("audit.search")),
      ),
    ),
    answer,
  );
  const list = h("div", { id: "audit-list", class: "al-stack" });
  const note = h("p", { class: "muted small", id: "audit-note" });
  const more = h("button", { type: "button", id: "audit-more", hidden: true }, t("audit.more"));
  view.append(
    form,
    h(
      "section",
      { class: "card", "aria-labelledby": "audit-list-heading" },
      h("h2", { id: "audit-list-heading" }, t("audit.list")),
      list,
      note,
      more,
    ),
  );

  // The server filters by site, who, what, action and dates (a date is a whole day in the site's
  // zone, or the company's); the action is checked here too, which changes nothing when the
  // server has done it.
  let query = null;
  let filters = null;
  let entries = [];
  let seen = 0;
  let page = 0;
  let done = false;
  let loading = false;

  function readFilters() {
    markFieldErrors(form, null);
    const userId = who.value.trim();
    const problems = {};
    if (!admin && userId && !/^\d+$/.test(userId)) problems.user_id = [t("audit.bad_user_id")];
    if (since.value && until.value && until.value < since.value)
      problems.until = [t("audit.until_before_since")];
    if (Object.keys(problems).length) {
      markFieldErrors(form, { errors: { query: problems } });
      answer.className = "answer error";
      answer.textContent = Object.values(problems)[0][0];
      return null;
    }
    return {
      site_id: picker.value() ?? "",
      user_id: userId,
      entity: entity.value,
      action: action.value,
      since: since.value,
      until: until.value,
    };
  }

  function matches(entry) {
    return !filters.action || entry.action === filters.action;
  }

  async function search() {
    const read = readFilters();
    if (!read) return;
    filters = read;
    query = { ...read };
    entries = [];
    seen = 0;
    page = 0;
    done = false;
    await loadMore(true);
  }

  /** Read pages until a page's worth of matching entries has come (or the log ends). */
  async function loadMore(first = false) {
    if (loading || done) return;
    loading = true;
    const buttons = [more, form.querySelector("#audit-search")];
    buttons.forEach((b) => (b.disabled = true));
    if (first) answer.busy();
    const current = query;
    try {
      let found = 0;
      for (let i = 0; i < 10 && found < PAGE && !done; i += 1) {
        const batch = await api("GET", "/audit", { query: { ...current, page: page + 1, page_size: PAGE } });
        if (current !== query) return;
        page += 1;
        seen += batch.length;
        const fitting = batch.filter(matches);
        found += fitting.length;
        entries.push(...fitting);
        if (batch.length < PAGE) done = true;
      }
      if (first) answer.clear();
      draw();
    } catch (error) {
      if (current !== query) return;
      if (first) {
        markFieldErrors(form, error);
        refuse(answer, error);
        list.replaceChildren();
        note.textContent = "";
        more.hidden = true;
      } else {
        note.className = "error";
        note.textContent = t("alerts.failed", { message: why(error) });
      }
    } finally {
      loading = false;
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  const columns = [
    { label: t("audit.col_at"), value: (e) => h("span", { class: "au-when" }, browserTime(e.at)) },
    { label: t("audit.col_who"), value: (e) => whoName(e.user_id) },
    { label: t("audit.col_action"), value: (e) => word("audit.a", e.action) },
    {
      label: t("audit.col_entity"),
      value: (e) =>
        h(
          "span",
          {},
          h(
            "span",
            { title: e.entity_id.length > 12 ? e.entity_id : null },
            t("audit.entity_id", { entity: word("audit.e", e.entity), id: shortId(e.entity_id) }),
          ),
          entityNote(e) ? h("span", { class: "muted small" }, ` · ${entityNote(e)}`) : null,
        ),
    },
    { label: t("audit.col_changes"), value: (e) => changes(e), class: "au-changes-cell" },
  ];

  /** The site (or account) an entry is about, by name where the console knows it. */
  function entityNote(entry) {
    if (entry.entity === "user") {
      const user = userMap.get(Number(entry.entity_id));
      return user ? user.display_name || user.username : "";
    }
    return siteMap.get(entry.site_id)?.name || "";
  }

  function whoName(id) {
    if (id === null || id === undefined) return t("audit.system");
    const user = userMap.get(id);
    if (user) return user.display_name || user.username;
    const me = session()?.user;
    if (me?.id === id) return me.display_name || me.username;
    return t("audit.user_n", { id });
  }

  function draw() {
    list.replaceChildren(
      labelCells(
        table(columns, entries, {
          caption: t("audit.caption"),
          empty: t("audit.none"),
          rowAttrs: (e) => ({ "data-id": e.id }),
        }),
        columns,
      ),
    );
    more.hidden = done;
    note.className = "muted small";
    const filtered = filters.action;
    note.textContent =
      filtered && seen !== entries.length
        ? t("audit.scanned", { seen, n: entries.length })
        : done
          ? t("audit.end", { n: entries.length })
          : t("audit.count", { n: entries.length });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  more.addEventListener("click", () => loadMore());
  await search();
}

/** A long id (a scan's UUID) by its first characters; the whole of it is in the title. */
function shortId(id) {
  const text = String(id ?? "");
  return text.length > 12 ? `${text.slice(0, 8)}…` : text;
}

/**
 * A time as this computer's wall clock, to the second: the log mixes sites' zones (and UTC for
 * changes that belong to no site), and one clock keeps its order readable.
 */
function browserTime(iso) {
  const moment = new Date(iso || "");
  if (Number.isNaN(moment.getTime())) return iso || "";
  const two = (n) => String(n).padStart(2, "0");
  return (
    `${moment.getFullYear()}-${two(moment.getMonth() + 1)}-${two(moment.getDate())} ` +
    `${two(moment.getHours())}:${two(moment.getMinutes())}:${two(moment.getSeconds())}`
  );
}

// --- before → after ---------------------------------------------------------------------

const SHOWN_FIELDS = 8;

/** The changed fields as "field: before → after"; a creation or deletion lists its values. */
function changes(entry) {
  const before = entry.before || null;
  const after = entry.after || null;
  const parts = [];
  if (before && after) {
    // An update: the fields it changed (the time stamp only when nothing else changed).
    let keys = Object.keys({ ...before, ...after }).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    if (keys.some((key) => key !== "updated_at")) keys = keys.filter((key) => key !== "updated_at");
    const items = keys.map((key) =>
      h(
        "li",
        {},
        h("span", { class: "au-field" }, `${fieldName(key)}: `),
        h("del", {}, show(before[key], key)),
        " → ",
        h("ins", {}, show(after[key], key)),
      ),
    );
    parts.push(...folded(items));
  } else if (after || before) {
    // A creation or deletion lists the values; another action (set-webhook, rotate-key...)
    // recorded the whole object after it, which says little: folded away.
    const values = after || before;
    const skip = new Set(["id", "created_at", "updated_at"]);
    const items = Object.entries(values)
      .filter(([key, value]) => !skip.has(key) && value !== null && value !== "" && value !== undefined)
      .map(([key, value]) =>
        h(
          "li",
          {},
          h("span", { class: "au-field" }, `${fieldName(key)}: `),
          after ? h("ins", {}, show(value, key)) : h("del", {}, show(value, key)),
        ),
      );
    if (items.length && (entry.action === "create" || !after)) {
      parts.push(h("div", { class: "muted small" }, t(after ? "audit.created" : "audit.deleted")));
      parts.push(...folded(items));
    } else if (items.length) {
      parts.push(
        h(
          "details",
          {},
          h("summary", {}, t("audit.snapshot", { n: items.length })),
          h("ul", { class: "au-changes" }, items),
        ),
      );
    }
  }
  if (entry.reason) parts.unshift(h("div", { class: "small" }, t("audit.reason", { text: entry.reason })));
  return h("div", {}, parts);
}

/** The first few items, the rest behind "N more". */
function folded(items) {
  const parts = [];
  if (items.length) parts.push(h("ul", { class: "au-changes" }, items.slice(0, SHOWN_FIELDS)));
  if (items.length > SHOWN_FIELDS) {
    parts.push(
      h(
        "details",
        {},
        h("summary", {}, t("audit.fields_more", { n: items.length - SHOWN_FIELDS })),
        h("ul", { class: "au-changes" }, items.slice(SHOWN_FIELDS)),
      ),
    );
  }
  return parts;
}

/** A column's name in words where the console knows it, else as the server names it. */
function fieldName(key) {
  return word("audit.f", key);
}

// Sites and accounts by id, for the fields that name them (filled when the audit screen opens).
const siteNames = new Map();
const userNames = new Map();

// Fields that hold an account's id, and fields whose values are codes with words.
const USER_FIELDS = new Set(["user", "reviewed_by", "resolved_by", "done_by", "verified_by", "inspector"]);
const CODED_FIELDS = new Set(["review_decision", "status", "site_type", "gender"]);
// A stored time as the database keeps it: naive UTC.
const STORED_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

function show(value, key = "") {
  if (key === "site" && siteNames.has(value)) return `${siteNames.get(value)} (#${value})`;
  if (USER_FIELDS.has(key) && userNames.has(value)) return `${userNames.get(value)} (#${value})`;
  if (key === "role" && typeof value === "string") return word("role", value);
  if (CODED_FIELDS.has(key) && typeof value === "string") return word("audit.v", value);
  if (value === null || value === undefined || value === "") return t("audit.empty_value");
  if (value === true) return t("audit.yes");
  if (value === false) return t("audit.no");
  if (typeof value === "string" && STORED_TIME.test(value)) return browserTime(`${value.replace(" ", "T")}Z`);
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
