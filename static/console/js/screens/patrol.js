// 巡更 screens of the office console: checkpoints and their labels (print sheets, one label,
// NFC tags, the site's signing key), patrol routes (ordered stops, drag and drop or ↑/↓) and
// schedules (when rounds start, previewed before saving). Every rule is the API's; each screen
// says what the server answered next to where it happened.
import { ApiError, download } from "/app/js/api.js";
import { session } from "/app/js/session.js";
import {
  activeBadge,
  answerBox,
  api,
  confirmDialog,
  fetchAll,
  field,
  formValues,
  h,
  lang,
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
    "patrol.nav.checkpoints": "巡更点与标签",
    "patrol.nav.routes": "巡更路线",
    "patrol.nav.schedules": "巡更计划",
    "patrol.no_sites": "您还没有可管理的项目。",
    "patrol.failed": "加载失败：{message}",
    "patrol.reload_failed": "列表刷新失败：{message}",
    "patrol.none": "无",
    "patrol.close": "关闭",
    "patrol.cancel_edit": "取消修改",
    "patrol.minutes": "{n} 分钟",
    "patrol.view_only": "您的账号只能查看，修改请找管理员或主管。",
    "patrol.view_only_admin": "您的账号只能查看，修改请找管理员。",

    "patrol.cp.title": "巡更点与标签",
    "patrol.cp.address": "标签上的地址：",
    "patrol.cp.address_env": "请把 XUNJIAN_PUBLIC_BASE_URL 设为手机能访问的地址，然后重新打印标签。",
    "patrol.cp.tools": "标签与密钥",
    "patrol.cp.tools_hint": "标签 PDF 含本项目全部在用巡更点，A4 纸按实际大小打印。",
    "patrol.cp.print_site": "打印本项目标签",
    "patrol.cp.print_area": "打印本区域标签",
    "patrol.cp.printed": "已下载标签 PDF：{file}。",
    "patrol.cp.nothing_to_print": "没有可打印的在用巡更点。",
    "patrol.cp.rotate": "更换本项目密钥",
    "patrol.cp.rotate_confirm":
      "更换「{site}」的密钥后，本项目所有已打印的二维码标签和已写入的 NFC 标签会立即失效，护卫员扫描会被拒绝。" +
      "必须重新打印全部标签、重新写入全部 NFC 标签，并到现场逐一替换。确定更换吗？",
    "patrol.cp.rotate_yes": "更换密钥",
    "patrol.cp.rotated":
      "密钥已更换（第 {version} 版）。「{site}」所有旧的二维码标签和 NFC 标签已失效：" +
      "请立即打印新标签、重写 NFC 标签，并替换现场的全部标签。",
    "patrol.cp.add": "添加巡更点",
    "patrol.cp.edit": "修改巡更点：{name}（{code}）",
    "patrol.cp.area": "区域",
    "patrol.cp.name": "名称",
    "patrol.cp.code": "编号",
    "patrol.cp.checklist": "检查表",
    "patrol.cp.checklist_hint": "护卫员在此点要逐项检查的内容；可不选。",
    "patrol.cp.checklist_option": "{title}（{n} 项）",
    "patrol.cp.photo": "拍照",
    "patrol.cp.photo_hint": "是否需要拍照在巡更计划里按点设置。",
    "patrol.cp.photo_needed": "需拍照：{schedules}",
    "patrol.cp.location": "位置（可选）",
    "patrol.cp.latitude": "纬度",
    "patrol.cp.longitude": "经度",
    "patrol.cp.radius": "允许范围（米）",
    "patrol.cp.location_hint": "经纬度要一起填，或都不填。",
    "patrol.cp.add_button": "添加巡更点",
    "patrol.cp.save_button": "保存修改",
    "patrol.cp.created": "已添加巡更点「{name}」，编号 {code}。",
    "patrol.cp.saved": "已保存巡更点「{name}」（{code}）。",
    "patrol.cp.list": "巡更点（{n} 个在用）",
    "patrol.cp.caption": "「{area}」的巡更点",
    "patrol.cp.no_area": "未分区域",
    "patrol.cp.area_empty": "此区域还没有巡更点。",
    "patrol.cp.no_areas": "此项目还没有区域，请先在「区域」中建立区域。",
    "patrol.cp.add_here": "在此区域添加",
    "patrol.cp.state": "状态",
    "patrol.cp.actions": "操作",
    "patrol.cp.label": "标签",
    "patrol.cp.deactivate_confirm": "停用巡更点「{name}」？停用后扫描它会被拒绝，它也不再出现在标签 PDF 中。",
    "patrol.cp.deactivate_confirm_routes":
      "停用巡更点「{name}」？停用后扫描它会被拒绝。它还在路线{routes}中：" +
      "请到「巡更路线」里把它移除，否则这些路线的巡更会一直缺这一站。",
    "patrol.cp.deactivated": "已停用巡更点「{name}」。",
    "patrol.cp.reactivated": "已重新启用巡更点「{name}」。",
    "patrol.cp.label_alt": "巡更点「{name}」（{code}）的二维码标签",
    "patrol.cp.label_url": "二维码和 NFC 标签里的地址：",
    "patrol.cp.key_version": "（密钥第 {version} 版）",
    "patrol.cp.download_png": "下载标签图片",
    "patrol.cp.downloaded": "已下载 {file}。",
    "patrol.nfc.write": "写入 NFC",
    "patrol.nfc.unsupported_hint": "此浏览器不能写 NFC 标签：只有安卓手机上的 Chrome 支持 Web NFC。",
    "patrol.nfc.unsupported":
      "没有写入：此浏览器不支持 Web NFC。请在安卓手机上用 Chrome 打开本页，再点「写入 NFC」。",
    "patrol.nfc.tap": "请把手机贴近「{name}」的 NFC 标签（60 秒内）…",
    "patrol.nfc.written": "已写入 NFC 标签：{url}",
    "patrol.nfc.denied": "没有写入：浏览器没有得到使用 NFC 的许可，请在网站设置中允许 NFC。",
    "patrol.nfc.timeout": "没有写入：60 秒内没有贴近 NFC 标签。",
    "patrol.nfc.no_nfc": "没有写入：此设备没有 NFC 或 NFC 已关闭。",
    "patrol.nfc.lost": "没有写入：标签离开太快或不能写入（可能已锁定），请再试一次。",
    "patrol.nfc.failed": "没有写入：{message}",

    "patrol.rt.title": "巡更路线",
    "patrol.rt.list": "路线",
    "patrol.rt.new": "新建路线",
    "patrol.rt.name": "路线名称",
    "patrol.rt.stops": "巡更点",
    "patrol.rt.total": "全程",
    "patrol.rt.used_by": "使用它的计划",
    "patrol.rt.caption": "「{site}」的巡更路线",
    "patrol.rt.add": "新建路线",
    "patrol.rt.edit": "修改路线：{name}",
    "patrol.rt.order": "站点顺序",
    "patrol.rt.order_hint":
      "拖动排序，或用 ↑ ↓ 按钮。每站填写与上一站相隔的分钟数（第一站填开始后几分钟，通常为 0）。",
    "patrol.rt.no_stops": "还没有站点：从下面选择巡更点加入。",
    "patrol.rt.gap_first": "开始后（分钟）",
    "patrol.rt.gap": "距上一站（分钟）",
    "patrol.rt.at": "第 {n} 分钟",
    "patrol.rt.up": "上移 {name}",
    "patrol.rt.down": "下移 {name}",
    "patrol.rt.remove": "移除",
    "patrol.rt.moved": "已把「{name}」移到第 {n} 站。",
    "patrol.rt.removed": "已从路线中移除「{name}」（尚未保存）。",
    "patrol.rt.added": "已加入「{name}」为第 {n} 站（尚未保存）。",
    "patrol.rt.add_checkpoint": "加入巡更点",
    "patrol.rt.add_button": "加入路线",
    "patrol.rt.all_added": "本项目的在用巡更点都已在路线中。",
    "patrol.rt.total_line": "共 {n} 站，全程约 {minutes} 分钟。",
    "patrol.rt.inactive_stop": "此巡更点已停用：保存前请移除。",
    "patrol.rt.gap_missing": "请给每一站填写 0 到 1440 之间的分钟数（标红的站）。",
    "patrol.rt.save": "保存路线",
    "patrol.rt.saved": "已保存路线「{name}」：{n} 站，全程 {minutes} 分钟。",
    "patrol.rt.deactivate_confirm": "停用路线「{name}」？",
    "patrol.rt.deactivate_confirm_schedules":
      "停用路线「{name}」？注意：计划{schedules}仍按此路线生成巡更任务——要停止巡更，请到「巡更计划」停用这些计划。",
    "patrol.rt.deactivated": "已停用路线「{name}」。",
    "patrol.rt.reactivated": "已重新启用路线「{name}」。",

    "patrol.sc.title": "巡更计划",
    "patrol.sc.list": "计划",
    "patrol.sc.new": "新建计划",
    "patrol.sc.no_routes": "此项目还没有在用的巡更路线，请先建路线。",
    "patrol.sc.caption": "「{site}」的巡更计划",
    "patrol.sc.name": "计划名称",
    "patrol.sc.route": "路线",
    "patrol.sc.route_fixed": "计划建好后不能换路线：要换路线，请新建计划并停用此计划。",
    "patrol.sc.time": "时间",
    "patrol.sc.start": "开始时间",
    "patrol.sc.end": "结束时间",
    "patrol.sc.end_same_day": "当天 {end} 结束。",
    "patrol.sc.end_next_day": "次日 {end} 结束（跨过午夜）。",
    "patrol.sc.end_equal": "开始与结束相同：每天只有一轮。",
    "patrol.sc.span": "{start} – {end}",
    "patrol.sc.next_day": "次日 {time}",
    "patrol.sc.every": "每隔（分钟）",
    "patrol.sc.every_short": "每 {n} 分钟",
    "patrol.sc.every_column": "间隔",
    "patrol.sc.weekdays": "星期",
    "patrol.sc.every_day": "每天",
    "patrol.sc.weekday_list": "周{days}",
    "patrol.sc.weekday_sep": "、",
    "patrol.sc.grace": "允许迟到（分钟）",
    "patrol.sc.duration": "每轮限时（分钟）",
    "patrol.sc.limits": "限时 / 允许迟到",
    "patrol.sc.limits_value": "{duration} 分钟 / {grace} 分钟",
    "patrol.sc.ordered": "必须按路线顺序巡查",
    "patrol.sc.working_days_only": "只在工作日巡（法定节假日不巡，调休上班日照常，见工作日历）",
    "patrol.sc.ordered_short": "按顺序",
    "patrol.sc.yes": "是",
    "patrol.sc.no": "否",
    "patrol.sc.photos": "需拍照的巡更点",
    "patrol.sc.photos_short": "拍照",
    "patrol.sc.photos_none": "此路线没有站点。",
    "patrol.sc.photo_count": "{n} 个",
    "patrol.sc.post": "关键岗位在岗检查",
    "patrol.sc.post_hint": "可选：巡更时顺带确认此岗位有人。",
    "patrol.sc.key_post": "{name}（关键岗位）",
    "patrol.sc.preview": "预览未来 24 小时",
    "patrol.sc.preview_title": "未来 24 小时的巡更任务（预览，尚未保存）",
    "patrol.sc.preview_n": "预览：未来 24 小时共 {n} 轮。这只是预览，计划还没有保存。",
    "patrol.sc.preview_none": "预览：按这些设置，未来 24 小时没有巡更任务。",
    "patrol.sc.preview_missing": "暂时不能预览：服务器还没有提供预览功能。保存不受影响。",
    "patrol.sc.round": "{start} – {end}",
    "patrol.sc.save": "保存计划",
    "patrol.sc.add": "新建计划",
    "patrol.sc.edit": "修改计划：{name}",
    "patrol.sc.saved": "已保存计划「{name}」。",
    "patrol.sc.deactivate_confirm": "停用计划「{name}」？停用后不再生成新的巡更任务，已生成的任务不受影响。",
    "patrol.sc.deactivated": "已停用计划「{name}」。",
    "patrol.sc.reactivated": "已重新启用计划「{name}」。",
    "patrol.weekday.0": "一",
    "patrol.weekday.1": "二",
    "patrol.weekday.2": "三",
    "patrol.weekday.3": "四",
    "patrol.weekday.4": "五",
    "patrol.weekday.5": "六",
    "patrol.weekday.6": "日",
    "patrol.weekday_long.0": "星期一",
    "patrol.weekday_long.1": "星期二",
    "patrol.weekday_long.2": "星期三",
    "patrol.weekday_long.3": "星期四",
    "patrol.weekday_long.4": "星期五",
    "patrol.weekday_long.5": "星期六",
    "patrol.weekday_long.6": "星期日",
  },
  en: {
    "patrol.nav.checkpoints": "Checkpoints and labels",
    "patrol.nav.routes": "Patrol routes",
    "patrol.nav.schedules": "Patrol schedules",
    "patrol.no_sites": "You have no sites to manage yet.",
    "patrol.failed": "Could not load: {message}",
    "patrol.reload_failed": "Could not reload the list: {message}",
    "patrol.none": "None",
    "patrol.close": "Close",
    "patrol.cancel_edit": "Cancel editing",
    "patrol.minutes": "{n} min",
    "patrol.view_only": "Your account can only view this; ask an administrator or a supervisor for changes.",
    "patrol.view_only_admin": "Your account can only view this; ask an administrator for changes.",

    "patrol.cp.title": "Checkpoints and labels",
    "patrol.cp.address": "Address on the labels: ",
    "patrol.cp.address_env":
      "Set XUNJIAN_PUBLIC_BASE_URL to an address the phones can reach, then print the labels again.",
    "patrol.cp.tools": "Labels and key",
    "patrol.cp.tools_hint":
      "The label PDF holds every active checkpoint of the site; print on A4 at actual size.",
    "patrol.cp.print_site": "Print this site's labels",
    "patrol.cp.print_area": "Print this area's labels",
    "patrol.cp.printed": "Label PDF downloaded: {file}.",
    "patrol.cp.nothing_to_print": "There are no active checkpoints to print.",
    "patrol.cp.rotate": "Re-key this site",
    "patrol.cp.rotate_confirm":
      "After re-keying {site}, every printed QR label and every written NFC tag of the site stops working " +
      "at once: guards' scans will be refused. All labels must be printed again, all NFC tags written " +
      "again, and every one of them replaced on site. Re-key now?",
    "patrol.cp.rotate_yes": "Re-key",
    "patrol.cp.rotated":
      "Re-keyed (key version {version}). Every old QR label and NFC tag of {site} has stopped working: " +
      "print the new labels, rewrite the NFC tags and replace all of them on site now.",
    "patrol.cp.add": "Add a checkpoint",
    "patrol.cp.edit": "Edit checkpoint: {name} ({code})",
    "patrol.cp.area": "Area",
    "patrol.cp.name": "Name",
    "patrol.cp.code": "Code",
    "patrol.cp.checklist": "Checklist",
    "patrol.cp.checklist_hint": "The items a guard checks at this point; optional.",
    "patrol.cp.checklist_option": "{title} ({n} items)",
    "patrol.cp.photo": "Photo",
    "patrol.cp.photo_hint": "Whether a photo is needed is set per checkpoint in the patrol schedules.",
    "patrol.cp.photo_needed": "Photo needed: {schedules}",
    "patrol.cp.location": "Location (optional)",
    "patrol.cp.latitude": "Latitude",
    "patrol.cp.longitude": "Longitude",
    "patrol.cp.radius": "Allowed distance (m)",
    "patrol.cp.location_hint": "Give latitude and longitude together, or neither.",
    "patrol.cp.add_button": "Add checkpoint",
    "patrol.cp.save_button": "Save changes",
    "patrol.cp.created": "Checkpoint {name} added, code {code}.",
    "patrol.cp.saved": "Checkpoint {name} ({code}) saved.",
    "patrol.cp.list": "Checkpoints ({n} active)",
    "patrol.cp.caption": "Checkpoints of {area}",
    "patrol.cp.no_area": "No area",
    "patrol.cp.area_empty": "No checkpoints in this area yet.",
    "patrol.cp.no_areas": "This site has no areas yet; create areas first.",
    "patrol.cp.add_here": "Add in this area",
    "patrol.cp.state": "State",
    "patrol.cp.actions": "Actions",
    "patrol.cp.label": "Label",
    "patrol.cp.deactivate_confirm":
      "Deactivate checkpoint {name}? Its scans will be refused and it leaves the label PDF.",
    "patrol.cp.deactivate_confirm_routes":
      "Deactivate checkpoint {name}? Its scans will be refused. It is still on the routes {routes}: " +
      "remove it there under Patrol routes, or those rounds will always miss this stop.",
    "patrol.cp.deactivated": "Checkpoint {name} deactivated.",
    "patrol.cp.reactivated": "Checkpoint {name} reactivated.",
    "patrol.cp.label_alt": "QR label of checkpoint {name} ({code})",
    "patrol.cp.label_url": "Address in the QR code and NFC tag: ",
    "patrol.cp.key_version": " (key version {version})",
    "patrol.cp.download_png": "Download label image",
    "patrol.cp.downloaded": "Downloaded {file}.",
    "patrol.nfc.write": "Write NFC",
    "patrol.nfc.unsupported_hint": "This browser cannot write NFC tags: only Chrome on Android has Web NFC.",
    "patrol.nfc.unsupported":
      "Nothing written: this browser has no Web NFC. " +
      "Open this page in Chrome on an Android phone and tap Write NFC.",
    "patrol.nfc.tap": "Hold the phone to the NFC tag of {name} (within 60 seconds)…",
    "patrol.nfc.written": "NFC tag written: {url}",
    "patrol.nfc.denied":
      "Nothing written: the browser was not allowed to use NFC; allow it in the site settings.",
    "patrol.nfc.timeout": "Nothing written: no NFC tag came near within 60 seconds.",
    "patrol.nfc.no_nfc": "Nothing written: this device has no NFC, or NFC is switched off.",
    "patrol.nfc.lost":
      "Nothing written: the tag moved away too soon or cannot be written (locked?); try again.",
    "patrol.nfc.failed": "Nothing written: {message}",

    "patrol.rt.title": "Patrol routes",
    "patrol.rt.list": "Routes",
    "patrol.rt.new": "New route",
    "patrol.rt.name": "Route name",
    "patrol.rt.stops": "Checkpoints",
    "patrol.rt.total": "Length",
    "patrol.rt.used_by": "Used by schedules",
    "patrol.rt.caption": "Patrol routes of {site}",
    "patrol.rt.add": "New route",
    "patrol.rt.edit": "Edit route: {name}",
    "patrol.rt.order": "Stops in order",
    "patrol.rt.order_hint":
      "Drag to reorder, or use the ↑ ↓ buttons. For each stop give the minutes since the previous one " +
      "(for the first: minutes after the round starts, usually 0).",
    "patrol.rt.no_stops": "No stops yet: add checkpoints below.",
    "patrol.rt.gap_first": "After start (min)",
    "patrol.rt.gap": "After previous (min)",
    "patrol.rt.at": "minute {n}",
    "patrol.rt.up": "Move {name} up",
    "patrol.rt.down": "Move {name} down",
    "patrol.rt.remove": "Remove",
    "patrol.rt.moved": "Moved {name} to stop {n}.",
    "patrol.rt.removed": "Removed {name} from the route (not saved yet).",
    "patrol.rt.added": "Added {name} as stop {n} (not saved yet).",
    "patrol.rt.add_checkpoint": "Add a checkpoint",
    "patrol.rt.add_button": "Add to route",
    "patrol.rt.all_added": "Every active checkpoint of the site is on the route.",
    "patrol.rt.total_line": "{n} stops, about {minutes} minutes in all.",
    "patrol.rt.inactive_stop": "This checkpoint is deactivated: remove it before saving.",
    "patrol.rt.gap_missing": "Give each stop a number of minutes from 0 to 1440 (the stops marked red).",
    "patrol.rt.save": "Save route",
    "patrol.rt.saved": "Route {name} saved: {n} stops, {minutes} minutes in all.",
    "patrol.rt.deactivate_confirm": "Deactivate route {name}?",
    "patrol.rt.deactivate_confirm_schedules":
      "Deactivate route {name}? Note: the schedules {schedules} still make rounds of this route; " +
      "to stop those patrols, deactivate the schedules under Patrol schedules.",
    "patrol.rt.deactivated": "Route {name} deactivated.",
    "patrol.rt.reactivated": "Route {name} reactivated.",

    "patrol.sc.title": "Patrol schedules",
    "patrol.sc.list": "Schedules",
    "patrol.sc.new": "New schedule",
    "patrol.sc.no_routes": "This site has no active patrol route yet; create a route first.",
    "patrol.sc.caption": "Patrol schedules of {site}",
    "patrol.sc.name": "Schedule name",
    "patrol.sc.route": "Route",
    "patrol.sc.route_fixed":
      "A schedule keeps its route: to use another route, create a new schedule and deactivate this one.",
    "patrol.sc.time": "Time",
    "patrol.sc.start": "Start",
    "patrol.sc.end": "End",
    "patrol.sc.end_same_day": "Ends at {end} the same day.",
    "patrol.sc.end_next_day": "Ends at {end} the next day (past midnight).",
    "patrol.sc.end_equal": "Start and end are the same: one round a day.",
    "patrol.sc.span": "{start} – {end}",
    "patrol.sc.next_day": "next day {time}",
    "patrol.sc.every": "Every (minutes)",
    "patrol.sc.every_short": "every {n} min",
    "patrol.sc.every_column": "Interval",
    "patrol.sc.weekdays": "Weekdays",
    "patrol.sc.every_day": "Every day",
    "patrol.sc.weekday_list": "{days}",
    "patrol.sc.weekday_sep": ", ",
    "patrol.sc.grace": "Allowed lateness (minutes)",
    "patrol.sc.duration": "Time for a round (minutes)",
    "patrol.sc.limits": "Time / lateness",
    "patrol.sc.limits_value": "{duration} min / {grace} min",
    "patrol.sc.ordered": "Checkpoints must be patrolled in route order",
    "patrol.sc.working_days_only":
      "Working days only (none on public holidays, rounds on make-up working days; see the calendar)",
    "patrol.sc.ordered_short": "In order",
    "patrol.sc.yes": "Yes",
    "patrol.sc.no": "No",
    "patrol.sc.photos": "Checkpoints that need a photo",
    "patrol.sc.photos_short": "Photos",
    "patrol.sc.photos_none": "This route has no stops.",
    "patrol.sc.photo_count": "{n}",
    "patrol.sc.post": "Key post presence check",
    "patrol.sc.post_hint": "Optional: the round also confirms someone is at this post.",
    "patrol.sc.key_post": "{name} (key post)",
    "patrol.sc.preview": "Preview the next 24 hours",
    "patrol.sc.preview_title": "Rounds in the next 24 hours (preview, not saved)",
    "patrol.sc.preview_n":
      "Preview: {n} rounds in the next 24 hours. This is only a preview; nothing is saved.",
    "patrol.sc.preview_none": "Preview: with these settings there are no rounds in the next 24 hours.",
    "patrol.sc.preview_missing": "No preview yet: the server does not offer it yet. Saving works as usual.",
    "patrol.sc.round": "{start} – {end}",
    "patrol.sc.save": "Save schedule",
    "patrol.sc.add": "New schedule",
    "patrol.sc.edit": "Edit schedule: {name}",
    "patrol.sc.saved": "Schedule {name} saved.",
    "patrol.sc.deactivate_confirm":
      "Deactivate schedule {name}? It makes no new rounds; rounds already made stay as they are.",
    "patrol.sc.deactivated": "Schedule {name} deactivated.",
    "patrol.sc.reactivated": "Schedule {name} reactivated.",
    "patrol.weekday.0": "Mon",
    "patrol.weekday.1": "Tue",
    "patrol.weekday.2": "Wed",
    "patrol.weekday.3": "Thu",
    "patrol.weekday.4": "Fri",
    "patrol.weekday.5": "Sat",
    "patrol.weekday.6": "Sun",
    "patrol.weekday_long.0": "Monday",
    "patrol.weekday_long.1": "Tuesday",
    "patrol.weekday_long.2": "Wednesday",
    "patrol.weekday_long.3": "Thursday",
    "patrol.weekday_long.4": "Friday",
    "patrol.weekday_long.5": "Saturday",
    "patrol.weekday_long.6": "Sunday",
  },
};

const OFFICE = new Set(["admin", "hr", "supervisor", "manager"]);
const PLANNERS = new Set(["admin", "supervisor"]); // routes, schedules, labels (the access table)

function myRole() {
  return session()?.user?.role;
}

export function nav(user) {
  if (!OFFICE.has(user.role)) return [];
  return [
    { route: "checkpoints", label: t("patrol.nav.checkpoints"), group: "patrol" },
    { route: "routes", label: t("patrol.nav.routes"), group: "patrol" },
    { route: "schedules", label: t("patrol.nav.schedules"), group: "patrol" },
  ];
}

export const routes = {
  checkpoints: renderCheckpoints,
  routes: renderRoutes,
  schedules: renderSchedules,
};

// ---------------------------------------------------------------- shared pieces

/**
 * The screen's site picker and, below it, what `render(site)` builds for the chosen site.
 * #/checkpoints/<site id> opens that site. A slow answer for a site no longer chosen lands in
 * a box that is no longer on the page.
 */
async function withSite(view, params, render) {
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("patrol.no_sites")));
    return;
  }
  if (params[0] && sites.some((s) => String(s.id) === params[0])) {
    sessionStorage.setItem("xj.console.site", params[0]);
  }
  const holder = h("div", {});
  const show = async (siteId) => {
    const site = sites.find((s) => s.id === siteId) || sites[0];
    const box = h(
      "div",
      { class: "patrol-site", "data-site": site.id },
      h("p", { class: "muted" }, t("ui.loading")),
    );
    holder.replaceChildren(box);
    try {
      box.replaceChildren(...[await render(site)].flat().filter(Boolean));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      box.replaceChildren(
        h("p", { class: "error", role: "alert" }, t("patrol.failed", { message: reason(error) })),
      );
    }
  };
  const picker = sitePicker(sites, show);
  view.append(h("div", { class: "row patrol-picker" }, picker.node), holder);
  await show(picker.value());
}

/**
 * A button that asks first (optional), runs one server action and says its answer in `answer`
 * (`answer()` when the box is looked up at the time). `after` runs only after a 2xx and its
 * own failure never turns the server's "done" into a refusal.
 */
function actButton(label, answer, action, { ok, after, confirm, yes, danger = false, attrs = {} } = {}) {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    if (confirm) {
      const question = confirm();
      if (question && !(await confirmDialog(question, { danger, yes: yes || label }))) return;
    }
    const box = typeof answer === "function" ? answer() : answer;
    button.disabled = true;
    box.busy();
    let result;
    try {
      result = await action();
    } catch (error) {
      box.refused(error);
      button.disabled = false;
      return;
    }
    box.ok(ok ? ok(result) : undefined);
    button.disabled = false;
    if (after) await after(result);
  });
  return button;
}

/** Reload a list, saying so in place when the reload itself fails (the change stands). */
async function safely(container, load) {
  try {
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    container.replaceChildren(
      h("p", { class: "error", role: "alert" }, t("patrol.reload_failed", { message: reason(error) })),
    );
  }
}

function focusById(id) {
  const node = id && document.getElementById(id);
  if (node && !node.disabled) node.focus();
  return Boolean(node && !node.disabled);
}

function textWarn(box, key, params) {
  box.className = "answer warn";
  box.textContent = t(key, params);
}

function textError(box, text) {
  box.className = "answer error";
  box.textContent = text;
}

/** Fetch an API image with the token (an <img src> cannot send it) → an object URL. */
async function authorisedUrl(path) {
  const token = session()?.token;
  let response;
  try {
    response = await fetch(`/api${path}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, { error: "offline" });
  }
  if (!response.ok) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      body = { message: response.statusText };
    }
    throw new ApiError(response.status, body);
  }
  return URL.createObjectURL(await response.blob());
}

function minutesFrom(hhmm) {
  const match = /^(\d{1,2}):(\d{2})/.exec(hhmm || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * table() whose rows stack into labelled cards on a phone (each cell says its column), so a
 * wide list needs no sideways scrolling at 360 px.
 */
function stackedTable(columns, rows, options) {
  const node = table(columns, rows, options);
  if (!node.classList.contains("table-wrap")) return node;
  node.classList.add("patrol-stack");
  for (const row of node.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      cell.setAttribute("data-label", columns[i]?.label || "");
      cell.replaceChildren(h("span", { class: "patrol-cell" }, ...cell.childNodes));
    });
  }
  return node;
}

/** Replace a <select>'s options ([value, text] pairs) and choose one. */
function setOptions(control, options, selected) {
  control.replaceChildren(...options.map(([value, text]) => h("option", { value: String(value) }, text)));
  control.value = String(selected ?? "");
}

/** An accessible name that starts with the button's visible text and says what it acts on. */
function named(visible, name) {
  return lang() === "zh" ? `${visible}：${name}` : `${visible}: ${name}`;
}

function checkpointLabel(cp) {
  return paren(cp.name, cp.code);
}

function listNames(names) {
  return lang() === "zh" ? names.map((n) => `「${n}」`).join("、") : names.join(", ");
}

/** The list separator of the current language. */
function joined(names) {
  return names.join(lang() === "zh" ? "、" : ", ");
}

/** "name（note）" in Chinese, "name (note)" in English. */
function paren(text, note) {
  return lang() === "zh" ? `${text}（${note}）` : `${text} (${note})`;
}

// ---------------------------------------------------------------- checkpoints and labels

async function renderCheckpoints(view, params) {
  view.append(h("h1", {}, t("patrol.cp.title")));
  if (PLANNERS.has(myRole())) view.append(labelAddress());
  if (myRole() !== "admin") view.append(h("p", { class: "muted" }, t("patrol.view_only_admin")));
  await withSite(view, params, checkpointsOfSite);
}

/** "标签上的地址：…" and the server's warning when phones could not reach it (404: not yet). */
function labelAddress() {
  const box = h("div", { id: "label-address-box" });
  api("GET", "/settings/labels")
    .then((settings) => {
      if (!settings || !settings.public_base_url) return;
      box.append(
        h(
          "p",
          { id: "label-address" },
          t("patrol.cp.address"),
          h("code", { id: "label-address-url" }, settings.public_base_url),
        ),
      );
      const warning =
        lang() === "zh" ? settings.warning || settings.warning_en : settings.warning_en || settings.warning;
      if (warning) {
        const env = warning.includes("XUNJIAN_PUBLIC_BASE_URL") ? "" : ` ${t("patrol.cp.address_env")}`;
        box.append(h("p", { class: "warning", id: "label-warning" }, `${warning}${env}`));
      }
    })
    .catch(() => box.remove()); // not there yet (404) or not for this role: show nothing
  return box;
}

async function checkpointsOfSite(site) {
  const role = myRole();
  const admin = role === "admin";
  const printer = PLANNERS.has(role);
  const [areas, checklists] = await Promise.all([
    fetchAll("/areas", { site_id: site.id }),
    api("GET", "/checklists", { query: { subject: "checkpoint" } }),
  ]);
  const list = checkpointList(site, areas, checklists, {
    admin,
    printer,
    edit: (cp) => form.edit(cp),
    addIn,
  });
  const form = admin ? checkpointForm(site, areas, checklists, () => list.reload()) : null;
  function addIn(areaId) {
    form?.addIn(areaId);
  }
  const nodes = [];
  if (printer) nodes.push(siteTools(site, { admin, afterRotate: () => list.reload() }));
  if (form) nodes.push(form.node);
  nodes.push(list.node);
  await list.reload();
  return nodes;
}

function siteTools(site, { admin, afterRotate }) {
  const answer = answerBox({ id: "site-answer" });
  const file = `checkpoints-${site.code}.pdf`;
  const print = h(
    "button",
    { type: "button", class: "primary", id: "print-site-sheet" },
    t("patrol.cp.print_site"),
  );
  print.addEventListener("click", () => printSheet(print, answer, { site_id: site.id }, file));
  const rotate = admin
    ? actButton(t("patrol.cp.rotate"), answer, () => api("POST", `/sites/${site.id}/rotate-key`), {
        attrs: { id: "rotate-key", class: "danger" },
        danger: true,
        yes: t("patrol.cp.rotate_yes"),
        confirm: () => t("patrol.cp.rotate_confirm", { site: site.name }),
        ok: (result) => t("patrol.cp.rotated", { site: site.name, version: result.key_version }),
        after: afterRotate,
      })
    : null;
  return h(
    "section",
    { class: "card", id: "site-tools", "aria-labelledby": "site-tools-title" },
    h("h2", { id: "site-tools-title" }, t("patrol.cp.tools")),
    h("p", { class: "muted small" }, t("patrol.cp.tools_hint")),
    h("div", { class: "patrol-tools" }, print, rotate),
    answer,
  );
}

async function printSheet(button, answer, query, file) {
  if (button.disabled) return;
  button.disabled = true;
  answer.busy();
  try {
    await download("/checkpoints/sheet.pdf", file, { query });
    answer.ok(t("patrol.cp.printed", { file }));
  } catch (error) {
    if (error.status === 404 && /no active checkpoints/i.test(error.body?.message || "")) {
      textError(answer, t("ui.error", { message: t("patrol.cp.nothing_to_print") }));
    } else answer.refused(error);
  } finally {
    button.disabled = false;
  }
}

function checkpointForm(site, areas, checklists, onSaved) {
  let editing = null;
  const title = h("h2", { id: "checkpoint-form-title" }, t("patrol.cp.add"));
  const area = h("select", { name: "area_id", id: "checkpoint-area", "data-type": "int" });
  const name = h("input", { name: "name", id: "checkpoint-name", maxlength: "100", autocomplete: "off" });
  const checklist = select(
    "checklist",
    [
      ["", t("patrol.none")],
      ...checklists.map((c) => [
        c.code,
        t("patrol.cp.checklist_option", {
          title: lang() === "zh" ? c.title : c.title_en || c.title,
          n: c.item_count,
        }),
      ]),
    ],
    "",
    { id: "checkpoint-checklist" },
  );
  const latitude = h("input", { name: "latitude", type: "number", step: "any", min: "-90", max: "90" });
  const longitude = h("input", { name: "longitude", type: "number", step: "any", min: "-180", max: "180" });
  const radius = h("input", { name: "radius_m", type: "number", min: "5", max: "5000", "data-type": "int" });
  const submit = h(
    "button",
    { type: "submit", class: "primary", id: "checkpoint-save" },
    t("patrol.cp.add_button"),
  );
  const cancel = h(
    "button",
    { type: "button", id: "checkpoint-cancel", hidden: true },
    t("patrol.cancel_edit"),
  );
  const answer = answerBox({ id: "checkpoint-answer" });
  const location = h(
    "details",
    {},
    h("summary", {}, t("patrol.cp.location")),
    h(
      "div",
      { class: "row" },
      field(t("patrol.cp.latitude"), latitude),
      field(t("patrol.cp.longitude"), longitude, t("patrol.cp.location_hint")),
      field(t("patrol.cp.radius"), radius),
    ),
  );
  const form = h(
    "form",
    {
      id: "checkpoint-form",
      class: "card patrol-form",
      novalidate: true,
      "aria-labelledby": "checkpoint-form-title",
    },
    title,
    h(
      "div",
      { class: "row" },
      field(t("patrol.cp.area"), area),
      field(t("patrol.cp.name"), name),
      field(t("patrol.cp.checklist"), checklist, t("patrol.cp.checklist_hint")),
    ),
    location,
    h(
      "p",
      { class: "muted small" },
      t("patrol.cp.photo_hint"),
      " ",
      h("a", { href: "#/schedules" }, t("patrol.nav.schedules")),
    ),
    h("div", { class: "patrol-buttons" }, submit, cancel),
    answer,
  );

  function fillAreas(selected) {
    const options = [["", t("ui.choose")]];
    for (const a of areas) {
      if (a.active || a.id === selected)
        options.push([a.id, a.active ? a.name : paren(a.name, t("ui.inactive"))]);
    }
    setOptions(area, options, selected);
  }

  function reset({ keepAnswer = false } = {}) {
    editing = null;
    form.reset();
    fillAreas("");
    radius.value = "";
    title.textContent = t("patrol.cp.add");
    submit.textContent = t("patrol.cp.add_button");
    cancel.hidden = true;
    location.open = false;
    markFieldErrors(form, null);
    if (!keepAnswer) answer.clear();
  }

  cancel.addEventListener("click", () => {
    reset();
    name.focus();
  });

  onSubmit(
    form,
    answer,
    (values) => {
      const body = {
        area_id: values.area_id,
        name: values.name.trim(),
        checklist: values.checklist || null,
        latitude: values.latitude === "" ? null : Number(values.latitude),
        longitude: values.longitude === "" ? null : Number(values.longitude),
      };
      if (values.radius_m !== null) body.radius_m = values.radius_m;
      if (editing) return api("PATCH", `/checkpoints/${editing.id}`, { json: body });
      return api("POST", "/checkpoints", { json: body });
    },
    {
      ok: (cp) => t(editing ? "patrol.cp.saved" : "patrol.cp.created", { name: cp.name, code: cp.code }),
      after: async (cp) => {
        const keepArea = editing ? "" : cp.area_id;
        reset({ keepAnswer: true });
        if (keepArea) area.value = String(keepArea); // the next one often goes in the same area
        await onSaved(cp);
      },
    },
  );

  reset();
  return {
    node: form,
    edit(cp) {
      reset();
      editing = cp;
      fillAreas(cp.area_id);
      name.value = cp.name;
      checklist.value = cp.checklist || "";
      latitude.value = cp.latitude ?? "";
      longitude.value = cp.longitude ?? "";
      radius.value = cp.radius_m ?? "";
      location.open = cp.latitude !== null && cp.latitude !== undefined;
      title.textContent = t("patrol.cp.edit", { name: cp.name, code: cp.code });
      submit.textContent = t("patrol.cp.save_button");
      cancel.hidden = false;
      form.scrollIntoView({ block: "start" });
      name.focus();
    },
    addIn(areaId) {
      reset();
      area.value = String(areaId);
      form.scrollIntoView({ block: "start" });
      name.focus();
    },
  };
}

function checkpointList(site, areas, checklists, { admin, printer, edit, addIn }) {
  const heading = h("h2", { id: "checkpoint-list-title" }, t("patrol.cp.list", { n: "…" }));
  const body = h("div", {});
  const node = h(
    "section",
    { id: "checkpoint-list", "aria-labelledby": "checkpoint-list-title" },
    heading,
    body,
  );
  const answers = new Map(); // area id → its answer box, kept across reloads
  const answerFor = (areaId) => {
    if (!answers.has(areaId)) answers.set(areaId, answerBox({ id: `area-answer-${areaId}` }));
    return answers.get(areaId);
  };
  const checklistTitle = new Map(
    checklists.map((c) => [c.code, lang() === "zh" ? c.title : c.title_en || c.title]),
  );

  async function load(focusId) {
    const [checkpoints, schedules, patrolRoutes] = await Promise.all([
      fetchAll("/checkpoints", { site_id: site.id }),
      fetchAll("/schedules", { site_id: site.id, active: true }),
      fetchAll("/patrol-routes", { site_id: site.id, active: true }),
    ]);
    heading.textContent = t("patrol.cp.list", { n: checkpoints.filter((c) => c.active).length });
    const photoBy = new Map();
    for (const s of schedules) {
      for (const id of s.photo_checkpoint_ids) photoBy.set(id, [...(photoBy.get(id) || []), s.name]);
    }
    const routesOf = (cp) => patrolRoutes.filter((r) => r.stops.some((s) => s.checkpoint_id === cp.id));
    const groups = [...areas]
      .sort((a, b) => a.id - b.id)
      .map((a) => ({ area: a, items: checkpoints.filter((c) => c.area_id === a.id) }));
    const orphans = checkpoints.filter((c) => !areas.some((a) => a.id === c.area_id));
    if (orphans.length)
      groups.push({ area: { id: 0, name: t("patrol.cp.no_area"), active: true }, items: orphans });
    const sections = groups
      .filter((g) => g.items.length || (g.area.active && admin))
      .map((g) => areaSection(g.area, g.items, { photoBy, routesOf }));
    body.replaceChildren(
      ...(sections.length ? sections : [h("p", { class: "muted" }, t("patrol.cp.no_areas"))]),
    );
    if (focusId) focusById(focusId);
  }

  function areaSection(area, items, { photoBy, routesOf }) {
    const answer = answerFor(area.id);
    const columns = [
      {
        label: t("patrol.cp.name"),
        value: (cp) => h("span", { class: "patrol-cp-name" }, cp.name),
      },
      { label: t("patrol.cp.code"), value: (cp) => h("code", {}, cp.code) },
      {
        label: t("patrol.cp.checklist"),
        value: (cp) => (cp.checklist ? checklistTitle.get(cp.checklist) || cp.checklist : "—"),
      },
      {
        label: t("patrol.cp.photo"),
        value: (cp) =>
          photoBy.has(cp.id)
            ? h(
                "span",
                { class: "badge warn" },
                t("patrol.cp.photo_needed", { schedules: joined(photoBy.get(cp.id)) }),
              )
            : "—",
      },
      { label: t("patrol.cp.state"), value: (cp) => activeBadge(cp.active) },
    ];
    if (admin || printer) {
      columns.push({
        label: t("patrol.cp.actions"),
        class: "patrol-actions",
        value: (cp) => rowActions(cp, area, answer, routesOf),
      });
    }
    const active = items.filter((c) => c.active).length;
    const tools = [];
    if (printer && active && area.id) {
      const button = h(
        "button",
        {
          type: "button",
          class: "small",
          id: `print-area-sheet-${area.id}`,
          "aria-label": named(t("patrol.cp.print_area"), area.name),
        },
        t("patrol.cp.print_area"),
      );
      button.addEventListener("click", () =>
        printSheet(
          button,
          answer,
          { site_id: site.id, area_id: area.id },
          `checkpoints-${site.code}-${area.id}.pdf`,
        ),
      );
      tools.push(button);
    }
    if (admin && area.active && area.id) {
      tools.push(
        h(
          "button",
          {
            type: "button",
            class: "small",
            id: `add-in-area-${area.id}`,
            "aria-label": named(t("patrol.cp.add_here"), area.name),
            onclick: () => addIn(area.id),
          },
          t("patrol.cp.add_here"),
        ),
      );
    }
    return h(
      "section",
      { class: "patrol-area", "data-area": area.id },
      h(
        "div",
        { class: "patrol-area-head" },
        h("h3", {}, area.name, area.active ? null : activeBadge(false)),
        tools.length ? h("div", { class: "patrol-tools" }, tools) : null,
      ),
      answer,
      stackedTable(columns, items, {
        caption: t("patrol.cp.caption", { area: area.name }),
        empty: t("patrol.cp.area_empty"),
        rowAttrs: (cp) => ({
          "data-id": cp.id,
          id: `checkpoint-${cp.id}`,
          class: cp.active ? null : "inactive",
        }),
      }),
    );
  }

  function rowActions(cp, area, answer, routesOf) {
    const buttons = [];
    if (printer) {
      const toggle = h(
        "button",
        {
          type: "button",
          class: "small",
          id: `label-toggle-${cp.id}`,
          "aria-expanded": "false",
          "aria-controls": `label-${cp.id}`,
          "aria-label": named(t("patrol.cp.label"), cp.name),
        },
        t("patrol.cp.label"),
      );
      toggle.addEventListener("click", () => toggleLabel(toggle, cp, area));
      buttons.push(toggle);
    }
    if (admin) {
      buttons.push(
        h(
          "button",
          {
            type: "button",
            class: "small",
            id: `checkpoint-edit-${cp.id}`,
            "aria-label": named(t("ui.edit"), cp.name),
            onclick: () => edit(cp),
          },
          t("ui.edit"),
        ),
      );
      const deactivate = cp.active;
      buttons.push(
        actButton(
          t(deactivate ? "ui.deactivate" : "ui.reactivate"),
          answer,
          () => api("PATCH", `/checkpoints/${cp.id}`, { json: { active: !deactivate } }),
          {
            attrs: {
              class: deactivate ? "small danger" : "small",
              id: `checkpoint-${deactivate ? "deactivate" : "reactivate"}-${cp.id}`,
              "aria-label": named(t(deactivate ? "ui.deactivate" : "ui.reactivate"), cp.name),
            },
            danger: deactivate,
            confirm: deactivate
              ? () => {
                  const on = routesOf(cp).map((r) => r.name);
                  return on.length
                    ? t("patrol.cp.deactivate_confirm_routes", { name: cp.name, routes: listNames(on) })
                    : t("patrol.cp.deactivate_confirm", { name: cp.name });
                }
              : null,
            ok: (saved) =>
              t(saved.active ? "patrol.cp.reactivated" : "patrol.cp.deactivated", { name: saved.name }),
            after: (saved) => reload(`checkpoint-${saved.active ? "deactivate" : "reactivate"}-${saved.id}`),
          },
        ),
      );
    }
    return buttons;
  }

  function toggleLabel(toggle, cp, area) {
    const row = toggle.closest("tr");
    const open = document.getElementById(`label-${cp.id}`);
    if (open) {
      open.remove();
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    const cells = row.children.length;
    const panelRow = h(
      "tr",
      { class: "patrol-label-row", id: `label-${cp.id}` },
      h("td", { colspan: String(cells) }, labelPanel(cp, area)),
    );
    row.after(panelRow);
    toggle.setAttribute("aria-expanded", "true");
  }

  async function reload(focusId) {
    await safely(body, () => load(focusId));
  }

  return { node, reload };
}

/** One checkpoint's label: the PNG (fetched with the token), its address, download, NFC. */
function labelPanel(cp) {
  const answer = answerBox({ id: `label-answer-${cp.id}` });
  const nfcAnswer = answerBox({ id: `nfc-answer-${cp.id}` });
  const img = h("img", {
    id: `label-img-${cp.id}`,
    alt: t("patrol.cp.label_alt", { name: cp.name, code: cp.code }),
    width: "220",
  });
  authorisedUrl(`/checkpoints/${cp.id}/label.png`)
    .then((url) => {
      img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
      img.src = url;
    })
    .catch((error) => {
      img.remove();
      answer.refused(error);
    });
  const address = h("p", { class: "small", id: `label-url-${cp.id}` }, t("ui.loading"));
  api("GET", `/checkpoints/${cp.id}/code`)
    .then((code) => {
      address.replaceChildren(
        t("patrol.cp.label_url"),
        h("code", {}, code.url),
        t("patrol.cp.key_version", { version: code.key_version }),
      );
    })
    .catch((error) => {
      address.className = "small error";
      address.textContent = t("ui.error", { message: reason(error) });
    });
  const file = `${cp.code}.png`;
  const downloadButton = actButton(
    t("patrol.cp.download_png"),
    answer,
    () => download(`/checkpoints/${cp.id}/label.png`, file),
    {
      attrs: { class: "small", id: `label-download-${cp.id}` },
      ok: () => t("patrol.cp.downloaded", { file }),
    },
  );
  const nfc = h(
    "button",
    {
      type: "button",
      class: "small",
      id: `nfc-${cp.id}`,
      "aria-label": named(t("patrol.nfc.write"), cp.name),
    },
    t("patrol.nfc.write"),
  );
  nfc.addEventListener("click", () => writeNfc(cp, nfc, nfcAnswer));
  const supported = "NDEFReader" in window;
  return h(
    "div",
    { class: "patrol-label" },
    img,
    h(
      "div",
      { class: "patrol-label-info" },
      address,
      h("div", { class: "patrol-tools" }, downloadButton, nfc),
      supported
        ? null
        : h("p", { class: "muted small", id: `nfc-hint-${cp.id}` }, t("patrol.nfc.unsupported_hint")),
      answer,
      nfcAnswer,
    ),
  );
}

async function writeNfc(cp, button, answer) {
  if (button.disabled) return;
  if (!("NDEFReader" in window)) {
    textError(answer, t("patrol.nfc.unsupported"));
    return;
  }
  button.disabled = true;
  answer.busy();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60000);
  try {
    const code = await api("GET", `/checkpoints/${cp.id}/code`);
    answer.className = "answer busy";
    answer.textContent = t("patrol.nfc.tap", { name: cp.name });
    const writer = new window.NDEFReader();
    await writer.write({ records: [{ recordType: "url", data: code.url }] }, { signal: controller.signal });
    answer.ok(t("patrol.nfc.written", { url: code.url }));
  } catch (error) {
    if (error instanceof ApiError) answer.refused(error);
    else textError(answer, nfcReason(error));
  } finally {
    clearTimeout(timer);
    button.disabled = false;
  }
}

function nfcReason(error) {
  switch (error?.name) {
    case "NotAllowedError":
      return t("patrol.nfc.denied");
    case "AbortError":
      return t("patrol.nfc.timeout");
    case "NotSupportedError":
    case "NotReadableError":
      return t("patrol.nfc.no_nfc");
    case "NetworkError":
      return t("patrol.nfc.lost");
    default:
      return t("patrol.nfc.failed", { message: error?.message || String(error) });
  }
}

// ---------------------------------------------------------------- patrol routes

async function renderRoutes(view, params) {
  view.append(h("h1", {}, t("patrol.rt.title")));
  if (!PLANNERS.has(myRole())) view.append(h("p", { class: "muted" }, t("patrol.view_only")));
  await withSite(view, params, routesOfSite);
}

async function routesOfSite(site) {
  const planner = PLANNERS.has(myRole());
  const [checkpoints, areas] = await Promise.all([
    fetchAll("/checkpoints", { site_id: site.id }),
    fetchAll("/areas", { site_id: site.id }),
  ]);
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  const editor = planner ? routeEditor(site, checkpoints, areas, () => list.reload()) : null;
  const list = routeList(site, byId, { planner, edit: (route) => editor.open(route) });
  await list.reload();
  return [editor?.node, list.node];
}

function routeList(site, byId, { planner, edit }) {
  const answer = answerBox({ id: "route-list-answer" });
  const holder = h("div", { id: "route-list" });
  const newButton = planner
    ? h(
        "button",
        { type: "button", class: "primary", id: "new-route", onclick: () => edit(null) },
        t("patrol.rt.new"),
      )
    : null;
  const node = h(
    "section",
    { "aria-labelledby": "route-list-title" },
    h("h2", { id: "route-list-title" }, t("patrol.rt.list")),
    newButton ? h("div", { class: "patrol-tools" }, newButton) : null,
    answer,
    holder,
  );

  async function load(focusId) {
    const [patrolRoutes, schedules] = await Promise.all([
      fetchAll("/patrol-routes", { site_id: site.id }),
      fetchAll("/schedules", { site_id: site.id, active: true }),
    ]);
    patrolRoutes.sort((a, b) => Number(b.active) - Number(a.active));
    const usedBy = (route) => schedules.filter((s) => s.route_id === route.id).map((s) => s.name);
    const columns = [
      { label: t("patrol.rt.name"), class: "patrol-name", value: (r) => r.name },
      {
        label: t("patrol.rt.stops"),
        value: (r) =>
          r.stops.map((s) => byId.get(s.checkpoint_id)?.name || `#${s.checkpoint_id}`).join(" → "),
      },
      {
        label: t("patrol.rt.total"),
        class: "num",
        value: (r) =>
          t("patrol.minutes", { n: r.stops.length ? r.stops[r.stops.length - 1].offset_minutes : 0 }),
      },
      { label: t("patrol.rt.used_by"), value: (r) => joined(usedBy(r)) || "—" },
      { label: t("patrol.cp.state"), value: (r) => activeBadge(r.active) },
    ];
    if (planner) {
      columns.push({
        label: t("patrol.cp.actions"),
        class: "patrol-actions",
        value: (r) => [
          h(
            "button",
            {
              type: "button",
              class: "small",
              id: `route-edit-${r.id}`,
              "aria-label": named(t("ui.edit"), r.name),
              onclick: () => edit(r),
            },
            t("ui.edit"),
          ),
          actButton(
            t(r.active ? "ui.deactivate" : "ui.reactivate"),
            answer,
            () => api("PATCH", `/patrol-routes/${r.id}`, { json: { active: !r.active } }),
            {
              attrs: {
                class: r.active ? "small danger" : "small",
                id: `route-${r.active ? "deactivate" : "reactivate"}-${r.id}`,
                "aria-label": named(t(r.active ? "ui.deactivate" : "ui.reactivate"), r.name),
              },
              danger: r.active,
              confirm: r.active
                ? () =>
                    usedBy(r).length
                      ? t("patrol.rt.deactivate_confirm_schedules", {
                          name: r.name,
                          schedules: listNames(usedBy(r)),
                        })
                      : t("patrol.rt.deactivate_confirm", { name: r.name })
                : null,
              ok: (saved) =>
                t(saved.active ? "patrol.rt.reactivated" : "patrol.rt.deactivated", { name: saved.name }),
              after: (saved) => reload(`route-${saved.active ? "deactivate" : "reactivate"}-${saved.id}`),
            },
          ),
        ],
      });
    }
    holder.replaceChildren(
      stackedTable(columns, patrolRoutes, {
        caption: t("patrol.rt.caption", { site: site.name }),
        rowAttrs: (r) => ({ "data-id": r.id }),
      }),
    );
    if (focusId) focusById(focusId);
  }

  async function reload(focusId) {
    await safely(holder, () => load(focusId));
  }
  return { node, reload };
}

function routeEditor(site, checkpoints, areas, onSaved) {
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  let editing = null;
  let stops = []; // [{checkpoint_id, gap}] gap: minutes after the previous stop (the first: after the start)
  let dragged = null;

  const title = h("h2", { id: "route-form-title" }, t("patrol.rt.add"));
  const name = h("input", { name: "name", id: "route-name", maxlength: "100", autocomplete: "off" });
  const list = h("ol", { id: "route-stop-list", class: "patrol-stops" });
  const status = h("p", {
    class: "muted small patrol-stops-status",
    id: "route-stops-status",
    role: "status",
    "aria-live": "polite",
  });
  const total = h("p", { id: "route-total", class: "small" });
  const stopsError = h("small", { class: "field-error", id: "route-stops-error" });
  const fieldset = h(
    "fieldset",
    {
      id: "route-stops",
      name: "stops",
      "data-skip": true,
      "aria-describedby": "route-stops-hint route-stops-error",
    },
    h("legend", {}, t("patrol.rt.order")),
    h("p", { class: "muted small", id: "route-stops-hint" }, t("patrol.rt.order_hint")),
    list,
    total,
    status,
    stopsError,
  );
  const adder = h("select", { name: "add_checkpoint", id: "route-add-checkpoint", "data-skip": true });
  const addButton = h("button", { type: "button", id: "add-stop" }, t("patrol.rt.add_button"));
  const addRow = h(
    "div",
    { class: "row patrol-add-row" },
    field(t("patrol.rt.add_checkpoint"), adder),
    addButton,
  );
  const submit = h("button", { type: "submit", class: "primary", id: "route-save" }, t("patrol.rt.save"));
  const close = h("button", { type: "button", id: "route-cancel" }, t("patrol.close"));
  const answer = answerBox({ id: "route-answer" });
  const form = h(
    "form",
    {
      id: "route-form",
      class: "card patrol-form",
      novalidate: true,
      hidden: true,
      "aria-labelledby": "route-form-title",
    },
    title,
    field(t("patrol.rt.name"), name),
    fieldset,
    addRow,
    h("div", { class: "patrol-buttons" }, submit, close),
    answer,
  );

  const nameOf = (id) => byId.get(id)?.name || `#${id}`;

  function offsets() {
    let at = 0;
    return stops.map((s) => (at += Number.isInteger(s.gap) ? s.gap : 0));
  }

  function updateTimes() {
    const at = offsets();
    list.querySelectorAll("li").forEach((li, i) => {
      li.querySelector(".stop-at").textContent = t("patrol.rt.at", { n: at[i] });
    });
    total.textContent = stops.length
      ? t("patrol.rt.total_line", { n: stops.length, minutes: at[at.length - 1] })
      : t("patrol.rt.no_stops");
  }

  function stopItem(stop, index) {
    const cp = byId.get(stop.checkpoint_id);
    const label = nameOf(stop.checkpoint_id);
    const gap = h("input", {
      type: "number",
      min: "0",
      max: "1440",
      step: "1",
      inputmode: "numeric",
      name: "gap",
      id: `stop-gap-${stop.checkpoint_id}`,
      "data-skip": true,
      value: Number.isInteger(stop.gap) ? String(stop.gap) : "",
    });
    gap.addEventListener("input", () => {
      stop.gap = gap.value === "" ? null : Number(gap.value);
      gap.removeAttribute("aria-invalid");
      updateTimes();
    });
    const up = h(
      "button",
      {
        type: "button",
        class: "small",
        id: `stop-up-${stop.checkpoint_id}`,
        "aria-label": t("patrol.rt.up", { name: label }),
        title: t("patrol.rt.up", { name: label }),
        disabled: index === 0,
      },
      "↑",
    );
    up.addEventListener("click", () => move(index, index - 1, up.id));
    const down = h(
      "button",
      {
        type: "button",
        class: "small",
        id: `stop-down-${stop.checkpoint_id}`,
        "aria-label": t("patrol.rt.down", { name: label }),
        title: t("patrol.rt.down", { name: label }),
        disabled: index === stops.length - 1,
      },
      "↓",
    );
    down.addEventListener("click", () => move(index, index + 1, down.id));
    const remove = h(
      "button",
      {
        type: "button",
        class: "small",
        id: `stop-remove-${stop.checkpoint_id}`,
        "aria-label": named(t("patrol.rt.remove"), label),
      },
      t("patrol.rt.remove"),
    );
    remove.addEventListener("click", () => removeAt(index));
    const item = h(
      "li",
      { draggable: "true", "data-id": stop.checkpoint_id, class: cp?.active === false ? "inactive" : null },
      h("span", { class: "grip", "aria-hidden": "true" }, "⠿"),
      h("span", { class: "stop-no" }, `${index + 1}`),
      h(
        "span",
        { class: "stop-name" },
        label,
        cp ? h("small", {}, cp.code) : null,
        cp?.active === false ? [" ", activeBadge(false)] : null,
      ),
      h(
        "span",
        { class: "stop-time" },
        field(t(index === 0 ? "patrol.rt.gap_first" : "patrol.rt.gap"), gap),
        h("span", { class: "stop-at" }),
      ),
      h("span", { class: "stop-buttons" }, up, down, remove),
      cp?.active === false ? h("span", { class: "stop-note" }, t("patrol.rt.inactive_stop")) : null,
    );
    dragAndDrop(item);
    return item;
  }

  function dragAndDrop(item) {
    const id = Number(item.dataset.id);
    item.addEventListener("dragstart", (event) => {
      if (event.target !== item) return; // a drag begun in the number field selects text
      dragged = id;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", String(id));
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", () => {
      dragged = null;
      for (const li of list.children) li.classList.remove("dragging", "drop-before", "drop-after");
    });
    item.addEventListener("dragover", (event) => {
      if (dragged === null) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      const after = isLowerHalf(item, event);
      for (const li of list.children) li.classList.remove("drop-before", "drop-after");
      if (dragged !== id) item.classList.add(after ? "drop-after" : "drop-before");
    });
    item.addEventListener("dragleave", () => item.classList.remove("drop-before", "drop-after"));
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      const from = stops.findIndex((s) => s.checkpoint_id === dragged);
      const target = stops.findIndex((s) => s.checkpoint_id === id);
      if (from < 0 || target < 0) return;
      let to = target + (isLowerHalf(item, event) ? 1 : 0);
      if (from < to) to -= 1;
      dragged = null;
      move(from, to);
    });
  }

  function isLowerHalf(item, event) {
    const box = item.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2;
  }

  function move(from, to, focusId) {
    if (to < 0 || to >= stops.length || from === to) {
      renderStops(focusId);
      return;
    }
    // The minutes stay with the positions (the first stop keeps "after the start"); only the
    // checkpoints change places.
    const gaps = stops.map((s) => s.gap);
    const [stop] = stops.splice(from, 1);
    stops.splice(to, 0, stop);
    stops.forEach((s, i) => (s.gap = gaps[i]));
    renderStops(focusId);
    if (focusId && !focusById(focusId)) {
      focusById(`stop-${focusId.startsWith("stop-up") ? "down" : "up"}-${stop.checkpoint_id}`);
    }
    status.textContent = t("patrol.rt.moved", { name: nameOf(stop.checkpoint_id), n: to + 1 });
  }

  function removeAt(index) {
    const [stop] = stops.splice(index, 1);
    if (index === 0 && stops.length) stops[0].gap = stop.gap; // the new first starts when the old one did
    renderStops();
    const next = stops[Math.min(index, stops.length - 1)];
    if (!(next && focusById(`stop-remove-${next.checkpoint_id}`))) adder.focus();
    status.textContent = t("patrol.rt.removed", { name: nameOf(stop.checkpoint_id) });
  }

  function renderStops(focusId) {
    list.replaceChildren(...stops.map((stop, index) => stopItem(stop, index)));
    updateTimes();
    fillAdder();
    if (focusId) focusById(focusId);
  }

  function fillAdder() {
    const taken = new Set(stops.map((s) => s.checkpoint_id));
    const free = checkpoints.filter((c) => c.active && !taken.has(c.id));
    const groups = [];
    for (const area of [...areas, { id: null, name: t("patrol.cp.no_area") }]) {
      const mine = free.filter((c) =>
        area.id === null ? !areas.some((a) => a.id === c.area_id) : c.area_id === area.id,
      );
      if (!mine.length) continue;
      groups.push(
        h(
          "optgroup",
          { label: area.name },
          mine.map((c) => h("option", { value: String(c.id) }, checkpointLabel(c))),
        ),
      );
    }
    const chosen = adder.value;
    adder.replaceChildren(...groups);
    if (chosen && free.some((c) => String(c.id) === chosen)) adder.value = chosen;
    adder.disabled = !free.length;
    addButton.disabled = !free.length;
    if (!free.length) adder.append(h("option", { value: "" }, t("patrol.rt.all_added")));
  }

  addButton.addEventListener("click", () => {
    const id = Number(adder.value);
    if (!id || stops.some((s) => s.checkpoint_id === id)) return;
    const last = stops[stops.length - 1];
    stops.push({ checkpoint_id: id, gap: stops.length ? (last.gap > 0 ? last.gap : 3) : 0 });
    renderStops();
    status.textContent = t("patrol.rt.added", { name: nameOf(id), n: stops.length });
    if (!adder.disabled) adder.focus();
    else focusById(`stop-remove-${id}`);
  });

  close.addEventListener("click", () => {
    form.hidden = true;
    answer.clear();
    document.getElementById("new-route")?.focus();
  });

  // Before sending: every stop needs its minutes (a local check; the server judges the rest).
  form.addEventListener("submit", (event) => {
    const bad = stops.filter((s) => !Number.isInteger(s.gap) || s.gap < 0 || s.gap > 1440);
    if (!bad.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    for (const s of bad)
      document.getElementById(`stop-gap-${s.checkpoint_id}`)?.setAttribute("aria-invalid", "true");
    textError(answer, t("patrol.rt.gap_missing"));
    focusById(`stop-gap-${bad[0].checkpoint_id}`);
  });

  onSubmit(
    form,
    answer,
    (values) => {
      const at = offsets();
      const body = {
        name: values.name.trim(),
        stops: stops.map((s, i) => ({ checkpoint_id: s.checkpoint_id, offset_minutes: at[i] })),
      };
      if (editing) return api("PATCH", `/patrol-routes/${editing.id}`, { json: body });
      return api("POST", "/patrol-routes", { json: { site_id: site.id, ...body } });
    },
    {
      ok: (route) =>
        t("patrol.rt.saved", {
          name: route.name,
          n: route.stops.length,
          minutes: route.stops.length ? route.stops[route.stops.length - 1].offset_minutes : 0,
        }),
      after: async (route) => {
        load(route); // show what the server stored
        await onSaved(route);
      },
    },
  );

  function load(route) {
    editing = route;
    let previous = 0;
    stops = (route?.stops || []).map((s) => {
      const gap = s.offset_minutes - previous;
      previous = s.offset_minutes;
      return { checkpoint_id: s.checkpoint_id, gap };
    });
    name.value = route?.name || "";
    title.textContent = route ? t("patrol.rt.edit", { name: route.name }) : t("patrol.rt.add");
    status.textContent = "";
    markFieldErrors(form, null);
    renderStops();
  }

  return {
    node: form,
    open(route) {
      load(route);
      answer.clear();
      form.hidden = false;
      form.scrollIntoView({ block: "start" });
      name.focus();
    },
  };
}

// ---------------------------------------------------------------- schedules

async function renderSchedules(view, params) {
  view.append(h("h1", {}, t("patrol.sc.title")));
  if (!PLANNERS.has(myRole())) view.append(h("p", { class: "muted" }, t("patrol.view_only")));
  await withSite(view, params, schedulesOfSite);
}

async function schedulesOfSite(site) {
  const planner = PLANNERS.has(myRole());
  const [patrolRoutes, checkpoints, posts] = await Promise.all([
    fetchAll("/patrol-routes", { site_id: site.id }),
    fetchAll("/checkpoints", { site_id: site.id }),
    fetchAll("/posts", { site_id: site.id, active: true }),
  ]);
  const context = {
    site,
    routes: patrolRoutes,
    routeById: new Map(patrolRoutes.map((r) => [r.id, r])),
    checkpointById: new Map(checkpoints.map((c) => [c.id, c])),
    posts,
  };
  const editor = planner ? scheduleEditor(context, () => list.reload()) : null;
  const list = scheduleList(context, { planner, edit: (schedule) => editor.open(schedule) });
  await list.reload();
  const hint = patrolRoutes.some((r) => r.active)
    ? null
    : h("p", { class: "warning" }, t("patrol.sc.no_routes"));
  return [hint, editor?.node, list.node];
}

function timeSpan(start, end) {
  const s = minutesFrom(start);
  const e = minutesFrom(end);
  const shownEnd = e !== null && s !== null && e < s ? t("patrol.sc.next_day", { time: end }) : end;
  return t("patrol.sc.span", { start, end: shownEnd });
}

function weekdaysText(days) {
  if (days.length === 7) return t("patrol.sc.every_day");
  return t("patrol.sc.weekday_list", {
    days: [...days]
      .sort()
      .map((d) => t(`patrol.weekday.${d}`))
      .join(t("patrol.sc.weekday_sep")),
  });
}

function scheduleList(context, { planner, edit }) {
  const { site, routeById, checkpointById } = context;
  const answer = answerBox({ id: "schedule-list-answer" });
  const holder = h("div", { id: "schedule-list" });
  const newButton =
    planner && context.routes.some((r) => r.active)
      ? h(
          "button",
          { type: "button", class: "primary", id: "new-schedule", onclick: () => edit(null) },
          t("patrol.sc.new"),
        )
      : null;
  const node = h(
    "section",
    { "aria-labelledby": "schedule-list-title" },
    h("h2", { id: "schedule-list-title" }, t("patrol.sc.list")),
    newButton ? h("div", { class: "patrol-tools" }, newButton) : null,
    answer,
    holder,
  );

  async function load(focusId) {
    const schedules = await fetchAll("/schedules", { site_id: site.id });
    schedules.sort((a, b) => Number(b.active) - Number(a.active));
    const columns = [
      { label: t("patrol.sc.name"), class: "patrol-name", value: (s) => s.name },
      { label: t("patrol.sc.route"), value: (s) => routeById.get(s.route_id)?.name || `#${s.route_id}` },
      { label: t("patrol.sc.time"), value: (s) => timeSpan(s.start_time, s.end_time) },
      {
        label: t("patrol.sc.every_column"),
        value: (s) => t("patrol.sc.every_short", { n: s.every_minutes }),
      },
      { label: t("patrol.sc.weekdays"), value: (s) => weekdaysText(s.weekdays) },
      {
        label: t("patrol.sc.limits"),
        value: (s) =>
          t("patrol.sc.limits_value", { duration: s.duration_minutes, grace: s.start_grace_minutes }),
      },
      { label: t("patrol.sc.ordered_short"), value: (s) => t(s.ordered ? "patrol.sc.yes" : "patrol.sc.no") },
      {
        label: t("patrol.sc.photos_short"),
        value: (s) =>
          joined(s.photo_checkpoint_ids.map((id) => checkpointById.get(id)?.name || `#${id}`)) || "—",
      },
      { label: t("patrol.cp.state"), value: (s) => activeBadge(s.active) },
    ];
    if (planner) {
      columns.push({
        label: t("patrol.cp.actions"),
        class: "patrol-actions",
        value: (s) => [
          h(
            "button",
            {
              type: "button",
              class: "small",
              id: `schedule-edit-${s.id}`,
              "aria-label": named(t("ui.edit"), s.name),
              onclick: () => edit(s),
            },
            t("ui.edit"),
          ),
          actButton(
            t(s.active ? "ui.deactivate" : "ui.reactivate"),
            answer,
            () => api("PATCH", `/schedules/${s.id}`, { json: { active: !s.active } }),
            {
              attrs: {
                class: s.active ? "small danger" : "small",
                id: `schedule-${s.active ? "deactivate" : "reactivate"}-${s.id}`,
                "aria-label": named(t(s.active ? "ui.deactivate" : "ui.reactivate"), s.name),
              },
              danger: s.active,
              confirm: s.active ? () => t("patrol.sc.deactivate_confirm", { name: s.name }) : null,
              ok: (saved) =>
                t(saved.active ? "patrol.sc.reactivated" : "patrol.sc.deactivated", { name: saved.name }),
              after: (saved) => reload(`schedule-${saved.active ? "deactivate" : "reactivate"}-${saved.id}`),
            },
          ),
        ],
      });
    }
    holder.replaceChildren(
      stackedTable(columns, schedules, {
        caption: t("patrol.sc.caption", { site: site.name }),
        rowAttrs: (s) => ({ "data-id": s.id }),
      }),
    );
    if (focusId) focusById(focusId);
  }

  async function reload(focusId) {
    await safely(holder, () => load(focusId));
  }
  return { node, reload };
}

function scheduleEditor(context, onSaved) {
  const { routes: patrolRoutes, routeById, checkpointById, posts } = context;
  let editing = null;

  const title = h("h2", { id: "schedule-form-title" }, t("patrol.sc.add"));
  const name = h("input", { name: "name", id: "schedule-name", maxlength: "100", autocomplete: "off" });
  const route = h("select", { name: "route_id", id: "schedule-route", "data-type": "int" });
  const routeHint = h(
    "small",
    { class: "hint", id: "schedule-route-fixed", hidden: true },
    t("patrol.sc.route_fixed"),
  );
  const start = h("input", { name: "start_time", id: "schedule-start", type: "time" });
  const end = h("input", { name: "end_time", id: "schedule-end", type: "time" });
  const every = h("input", {
    name: "every_minutes",
    id: "schedule-every",
    type: "number",
    min: "5",
    max: "1440",
    "data-type": "int",
  });
  const duration = h("input", {
    name: "duration_minutes",
    id: "schedule-duration",
    type: "number",
    min: "1",
    max: "1440",
    "data-type": "int",
  });
  const grace = h("input", {
    name: "start_grace_minutes",
    id: "schedule-grace",
    type: "number",
    min: "0",
    max: "240",
    "data-type": "int",
  });
  const weekdayBoxes = [0, 1, 2, 3, 4, 5, 6].map((d) =>
    h("input", {
      type: "checkbox",
      name: "weekdays",
      value: String(d),
      "data-type": "int-list",
      id: `schedule-weekday-${d}`,
    }),
  );
  const weekdays = h(
    "fieldset",
    {
      id: "schedule-weekdays",
      name: "weekdays",
      "data-skip": true,
      "aria-describedby": "schedule-weekdays-error",
    },
    h("legend", {}, t("patrol.sc.weekdays")),
    h(
      "div",
      { class: "checks" },
      weekdayBoxes.map((box, d) =>
        h(
          "label",
          { for: box.id },
          box,
          h("span", { title: t(`patrol.weekday_long.${d}`) }, t(`patrol.weekday.${d}`)),
        ),
      ),
    ),
    h("small", { class: "field-error", id: "schedule-weekdays-error" }),
  );
  const ordered = h("input", { type: "checkbox", name: "ordered", id: "schedule-ordered" });
  const workingDays = h("input", {
    type: "checkbox",
    name: "working_days_only",
    id: "schedule-working-days-only",
  });
  const photoChecks = h("div", { class: "checks", id: "schedule-photo-checks" });
  const photos = h(
    "fieldset",
    {
      id: "schedule-photos",
      name: "photo_checkpoint_ids",
      "data-skip": true,
      class: "patrol-checks-fieldset",
      "aria-describedby": "schedule-photos-error",
    },
    h("legend", {}, t("patrol.sc.photos")),
    photoChecks,
    h("small", { class: "field-error", id: "schedule-photos-error" }),
  );
  const post = select(
    "post_id",
    [
      ["", t("patrol.none")],
      ...posts.map((p) => [p.id, p.is_key_post ? t("patrol.sc.key_post", { name: p.name }) : p.name]),
    ],
    "",
    { id: "schedule-post", "data-type": "int" },
  );
  const previewButton = h("button", { type: "button", id: "schedule-preview" }, t("patrol.sc.preview"));
  const submit = h("button", { type: "submit", class: "primary", id: "schedule-save" }, t("patrol.sc.save"));
  const close = h("button", { type: "button", id: "schedule-cancel" }, t("patrol.close"));
  const answer = answerBox({ id: "schedule-answer" });
  const previewAnswer = answerBox({ id: "schedule-preview-answer" });
  const previewList = h("ol", { id: "schedule-preview-list" });
  const previewTitle = h("h3", { id: "schedule-preview-title", hidden: true }, t("patrol.sc.preview_title"));
  const preview = h(
    "section",
    { class: "patrol-preview", "aria-labelledby": "schedule-preview-title" },
    previewTitle,
    previewAnswer,
    previewList,
  );

  const endField = field(t("patrol.sc.end"), end, " ");
  const endHint = endField.querySelector(".hint");
  endHint.setAttribute("aria-live", "polite");
  const routeField = field(t("patrol.sc.route"), route);
  routeField.append(routeHint);
  const form = h(
    "form",
    {
      id: "schedule-form",
      class: "card patrol-form",
      novalidate: true,
      hidden: true,
      "aria-labelledby": "schedule-form-title",
    },
    title,
    h("div", { class: "row" }, field(t("patrol.sc.name"), name), routeField),
    h(
      "div",
      { class: "row" },
      field(t("patrol.sc.start"), start),
      endField,
      field(t("patrol.sc.every"), every),
    ),
    h(
      "div",
      { class: "row" },
      field(t("patrol.sc.duration"), duration),
      field(t("patrol.sc.grace"), grace),
      field(t("patrol.sc.post"), post, t("patrol.sc.post_hint")),
    ),
    weekdays,
    h("div", { class: "checks" }, h("label", { for: ordered.id }, ordered, t("patrol.sc.ordered"))),
    h(
      "div",
      { class: "checks" },
      h("label", { for: workingDays.id }, workingDays, t("patrol.sc.working_days_only")),
    ),
    photos,
    h("div", { class: "patrol-buttons" }, previewButton, submit, close),
    answer,
    preview,
  );

  function sayEnd() {
    const s = minutesFrom(start.value);
    const e = minutesFrom(end.value);
    if (s === null || e === null) endHint.textContent = "";
    else if (e < s) endHint.textContent = t("patrol.sc.end_next_day", { end: end.value });
    else if (e === s) endHint.textContent = t("patrol.sc.end_equal");
    else endHint.textContent = t("patrol.sc.end_same_day", { end: end.value });
    endHint.classList.toggle("patrol-next-day", s !== null && e !== null && e < s);
  }
  start.addEventListener("input", sayEnd);
  end.addEventListener("input", sayEnd);

  function fillPhotos(routeId, chosen) {
    const stops = routeById.get(routeId)?.stops || [];
    photoChecks.replaceChildren(
      ...stops.map((s) => {
        const cp = checkpointById.get(s.checkpoint_id);
        const box = h("input", {
          type: "checkbox",
          name: "photo_checkpoint_ids",
          value: String(s.checkpoint_id),
          "data-type": "int-list",
          id: `schedule-photo-${s.checkpoint_id}`,
          checked: chosen.has(s.checkpoint_id),
        });
        return h("label", { for: box.id }, box, cp ? cp.name : `#${s.checkpoint_id}`);
      }),
    );
    if (!stops.length) photoChecks.append(h("span", { class: "muted small" }, t("patrol.sc.photos_none")));
  }

  route.addEventListener("change", () => {
    const chosen = new Set(
      [...photoChecks.querySelectorAll("input:checked")].map((box) => Number(box.value)),
    );
    fillPhotos(Number(route.value), chosen);
  });

  function bodyOf(values) {
    const body = {
      name: values.name.trim(),
      start_time: values.start_time,
      end_time: values.end_time,
      every_minutes: values.every_minutes,
      duration_minutes: values.duration_minutes,
      start_grace_minutes: values.start_grace_minutes,
      weekdays: values.weekdays || [],
      ordered: values.ordered,
      working_days_only: values.working_days_only,
      photo_checkpoint_ids: values.photo_checkpoint_ids || [],
      post_id: values.post_id,
    };
    if (!editing) body.route_id = values.route_id;
    return body;
  }

  onSubmit(
    form,
    answer,
    (values) => {
      const body = bodyOf(values);
      if (editing) return api("PATCH", `/schedules/${editing.id}`, { json: body });
      return api("POST", "/schedules", { json: body });
    },
    {
      ok: (saved) => t("patrol.sc.saved", { name: saved.name }),
      after: async (saved) => {
        load(saved); // show what the server stored
        await onSaved(saved);
      },
    },
  );

  previewButton.addEventListener("click", async () => {
    if (previewButton.disabled) return;
    previewButton.disabled = true;
    previewAnswer.busy();
    previewList.replaceChildren();
    previewTitle.hidden = true;
    try {
      const body = bodyOf(formValues(form));
      if (editing) body.route_id = editing.route_id;
      const result = await api("POST", "/schedules/preview", { json: body });
      markFieldErrors(form, null);
      const rounds = result?.rounds || [];
      previewTitle.hidden = false;
      previewList.replaceChildren(...rounds.map((r) => h("li", { "data-start": r.starts_at }, roundText(r))));
      previewAnswer.ok(
        rounds.length ? t("patrol.sc.preview_n", { n: rounds.length }) : t("patrol.sc.preview_none"),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && !Object.keys(error.errors || {}).length) {
        textWarn(previewAnswer, "patrol.sc.preview_missing");
      } else {
        markFieldErrors(form, error);
        previewAnswer.refused(error);
      }
    } finally {
      previewButton.disabled = false;
    }
  });

  close.addEventListener("click", () => {
    form.hidden = true;
    answer.clear();
    document.getElementById("new-schedule")?.focus();
  });

  function fillRoutes(selected) {
    const options = [["", t("ui.choose")]];
    for (const r of patrolRoutes) {
      if (r.active || r.id === selected)
        options.push([r.id, r.active ? r.name : paren(r.name, t("ui.inactive"))]);
    }
    setOptions(route, options, selected);
  }

  function load(schedule) {
    editing = schedule;
    form.reset();
    markFieldErrors(form, null);
    previewAnswer.clear();
    previewList.replaceChildren();
    previewTitle.hidden = true;
    const activeRoutes = patrolRoutes.filter((r) => r.active);
    const routeId = schedule ? schedule.route_id : activeRoutes.length === 1 ? activeRoutes[0].id : "";
    fillRoutes(routeId);
    route.disabled = Boolean(schedule);
    routeHint.hidden = !schedule;
    name.value = schedule?.name || "";
    start.value = schedule?.start_time || "20:00";
    end.value = schedule?.end_time || "06:00";
    every.value = String(schedule?.every_minutes ?? 120);
    duration.value = String(schedule?.duration_minutes ?? 60);
    grace.value = String(schedule?.start_grace_minutes ?? 10);
    const days = new Set(schedule ? schedule.weekdays : [0, 1, 2, 3, 4, 5, 6]);
    weekdayBoxes.forEach((box, d) => (box.checked = days.has(d)));
    ordered.checked = Boolean(schedule?.ordered);
    workingDays.checked = Boolean(schedule?.working_days_only);
    post.value = schedule?.post_id ? String(schedule.post_id) : "";
    fillPhotos(Number(routeId), new Set(schedule?.photo_checkpoint_ids || []));
    title.textContent = schedule ? t("patrol.sc.edit", { name: schedule.name }) : t("patrol.sc.add");
    sayEnd();
  }

  return {
    node: form,
    open(schedule) {
      load(schedule);
      answer.clear();
      form.hidden = false;
      form.scrollIntoView({ block: "start" });
      name.focus();
    },
  };
}

/** "2026-12-05（六）20:00 – 21:00", with 次日 when the round ends on the next day. */
function roundText(round) {
  const start = localTime(round.starts_at);
  const end = localTime(round.ends_at);
  const [startDate, startClock] = start.split(" ");
  const [endDate, endClock] = end.split(" ");
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(startDate || "");
  const weekday = day ? (new Date(Date.UTC(+day[1], +day[2] - 1, +day[3])).getUTCDay() + 6) % 7 : null;
  const dateText = weekday === null ? startDate : paren(startDate, t(`patrol.weekday.${weekday}`));
  const endText = endDate && endDate !== startDate ? t("patrol.sc.next_day", { time: endClock }) : endClock;
  return t("patrol.sc.round", { start: `${dateText} ${startClock || ""}`.trim(), end: endText || "" });
}
