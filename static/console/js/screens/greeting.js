// Lobby greeting duty 迎候: a site's settings (and the windows they give), the managers' leave,
// and the month's rota as a calendar with each manager's count beside it. Building the rota,
// recording leave and moving a shift go through the same API as everything else; each form says
// what the server answered beside it, and the calendar and counts are read again after a change.
import { session } from "/app/js/session.js";
import {
  answerBox,
  api,
  fetchAll,
  field,
  h,
  mySites,
  onSubmit,
  reason,
  select,
  sitePicker,
  t,
  table,
  confirmDialog,
} from "../ui.js";

const EDITORS = new Set(["admin", "supervisor"]); // PUT settings, move a shift
const PLANNERS = new Set(["admin", "supervisor", "hr"]); // build the rota, record leave
const VIEWERS = new Set(["admin", "supervisor", "hr", "manager"]);
const STATUS_CLASS = {
  scheduled: "muted",
  on_time: "ok",
  late: "warn",
  left_early: "warn",
  late_and_left_early: "warn",
  overstayed: "warn",
  missing_check_out: "warn",
  no_show: "error",
};

export const messages = {
  zh: {
    "greeting.nav_rota": "迎候排班",
    "greeting.nav_leave": "管理处请假",
    "greeting.nav_settings": "迎候设置",
    "greeting.no_sites": "您没有可以查看的项目。",
    "greeting.failed": "读取失败：{message}",
    "greeting.wd0": "周一",
    "greeting.wd1": "周二",
    "greeting.wd2": "周三",
    "greeting.wd3": "周四",
    "greeting.wd4": "周五",
    "greeting.wd5": "周六",
    "greeting.wd6": "周日",
    "greeting.window.morning": "早间",
    "greeting.window.evening": "晚间",
    "greeting.window_text": "{window} {start}–{end}（{minutes} 分钟）",
    "greeting.month_label": "{year}年{month}月",
    "greeting.day_label": "{month}月{day}日 {weekday}",
    "greeting.no_post": "未指定岗位",
    "greeting.unknown_manager": "（员工 {id}）",
    "greeting.status.scheduled": "待值班",
    "greeting.status.on_time": "准时",
    "greeting.status.late": "迟到 {late} 分钟",
    "greeting.status.left_early": "早退 {early} 分钟",
    "greeting.status.late_and_left_early": "迟到且早退",
    "greeting.status.overstayed": "超时停留 {over} 分钟",
    "greeting.status.missing_check_out": "未签退",
    "greeting.status.no_show": "缺勤",
    // settings
    "greeting.settings_title": "迎候设置",
    "greeting.settings_intro":
      "管理处主要管理人员轮流在大堂或小区门口迎候：写字楼在租户上班前，住宅在晚间回家高峰，综合体两者都有。",
    "greeting.windows_title": "迎候时段",
    "greeting.windows_hint": "时段由项目类型和项目的上班时间、晚高峰时间决定，每次时长在下面设置。",
    "greeting.no_windows":
      "这个项目还没有迎候时段：写字楼要填写租户上班时间，住宅要填写晚高峰开始时间（在项目资料中设置）。",
    "greeting.form_title": "设置",
    "greeting.view_only": "只有管理员和主管可以修改迎候设置。",
    "greeting.minutes": "每次时长（分钟）",
    "greeting.minutes_hint": "5–120 分钟；写字楼的时段在上班前这么长时间开始。",
    "greeting.weekdays": "值班的星期",
    "greeting.holidays": "公众假期（这些日子不值班）",
    "greeting.holidays_hint": "落在值班星期的法定假日。",
    "greeting.holidays_input": "要添加的假期日期",
    "greeting.extra_workdays": "调休上班日（这些日子也值班）",
    "greeting.extra_workdays_hint": "国家调休到周末的工作日，即使不在值班星期里也要值班。",
    "greeting.extra_workdays_input": "要添加的调休日期",
    "greeting.add_date": "添加日期",
    "greeting.remove_date": "移除",
    "greeting.remove_date_label": "移除 {date}",
    "greeting.no_dates": "尚未添加。",
    "greeting.pick_date": "请先选择一个日期。",
    "greeting.date_twice": "{date} 已在列表中。",
    "greeting.date_added": "已加入列表：{date}（保存后生效）。",
    "greeting.posts_title": "迎候岗位",
    "greeting.morning_post": "早间迎候岗位",
    "greeting.evening_post": "晚间迎候岗位",
    "greeting.no_post_option": "（不指定）",
    "greeting.post_inactive": "{name}（已停用）",
    "greeting.window_is": "本项目的早间时段：{text}",
    "greeting.window_is_evening": "本项目的晚间时段：{text}",
    "greeting.window_absent": "本项目目前没有这个时段。",
    "greeting.judging_title": "判定",
    "greeting.grace": "迟到宽限（分钟）",
    "greeting.grace_hint": "签到晚于开始时间不超过这么多分钟仍算准时（0–30）。",
    "greeting.leave_grace": "早退宽限（分钟）",
    "greeting.leave_grace_hint": "签退早于结束时间不超过这么多分钟不算早退（0–30）。",
    "greeting.overstay": "超时停留（分钟）",
    "greeting.overstay_hint": "结束后超过这么多分钟才签退，记为超时停留（1–120）。",
    "greeting.swap_needs_supervisor": "换班需要主管批准",
    "greeting.statutory": "法定节假日和调休",
    "greeting.statutory_default": "按项目类型（写字楼遵循，住宅不遵循）",
    "greeting.statutory_yes": "遵循：法定节假日不值班，调休上班日值班",
    "greeting.statutory_no": "不遵循：节假日照常值班",
    "greeting.statutory_hint":
      "现在：{now}。日期来自工作日历（国务院公布的安排和本项目自己的日子），下面手工填的日期优先。",
    "greeting.statutory_on": "遵循工作日历",
    "greeting.statutory_off": "不遵循工作日历",
    "greeting.save": "保存设置",
    "greeting.saved_windows": "已保存。现在的迎候时段：{windows}",
    "greeting.saved_no_windows": "已保存。这个项目目前没有迎候时段。",
    // leave
    "greeting.leave_title": "管理处人员请假",
    "greeting.leave_rebuild": "登记请假后，要重新生成那个月的排班才会生效：已经排好的班次不会自动改变。",
    "greeting.to_rota": "去排班",
    "greeting.to_rota_month": "去重新生成 {month} 排班",
    "greeting.leave_form": "登记请假",
    "greeting.leave_staff": "管理人员",
    "greeting.leave_first": "开始日期",
    "greeting.leave_last": "结束日期（含）",
    "greeting.leave_note": "事由",
    "greeting.leave_add": "登记",
    "greeting.leave_added": "已登记 {name} {first} 至 {last} 的请假。重新生成排班后生效。",
    "greeting.no_managers": "这个项目没有在职的管理处人员（职务为“管理处”的员工）。",
    "greeting.leave_list": "请假记录",
    "greeting.leave_days": "天数",
    "greeting.leave_state": "状态",
    "greeting.leave_now": "请假中",
    "greeting.leave_coming": "未开始",
    "greeting.leave_over": "已结束",
    "greeting.leave_none": "这个项目还没有请假记录。",
    // rota
    "greeting.rota_title": "迎候排班",
    "greeting.month": "月份",
    "greeting.prev_month": "上个月",
    "greeting.next_month": "下个月",
    "greeting.build_this": "生成本月排班",
    "greeting.build_month": "生成{month}排班",
    "greeting.build_hint":
      "在管理人员之间公平轮流，跳过请假和节假日，同一人一天最多一班。重新生成只重排明天起尚未签到的班次，已开始和已过去的班次保留为记录。",
    "greeting.rebuild_confirm":
      "{month}已有 {n} 个班次。重新生成会按规则重排明天起尚未签到的班次（手工改派也会被重排），已开始和已过去的保留。继续吗？",
    "greeting.rebuild_yes": "重新生成",
    "greeting.built": "服务器已生成 {made} 个班次，保留 {kept} 个已开始或已过去的班次。",
    "greeting.built_none":
      "服务器没有生成班次（保留 {kept} 个已开始或已过去的班次）：这个月没有还未到来的值班日。",
    "greeting.to_leave": "登记请假",
    "greeting.to_settings": "迎候设置",
    "greeting.calendar_title": "{month} 排班",
    "greeting.summary": "共 {n} 个班次：已判定 {judged} 个，待值班 {scheduled} 个。",
    "greeting.empty_month": "这个月还没有排班。",
    "greeting.move_hint": "点击尚未开始的班次，可以改派给其他管理人员。",
    "greeting.tag_holiday": "假日",
    "greeting.tag_extra": "调休",
    "greeting.tag_off": "不值班",
    "greeting.today": "今天",
    "greeting.counts_title": "本月次数",
    "greeting.counts_caption": "每位管理人员本月的迎候次数",
    "greeting.counts_name": "管理人员",
    "greeting.counts_total": "合计",
    "greeting.counts_spread": "平均每人 {avg} 次；最多 {max} 次，最少 {min} 次。",
    "greeting.counts_local": "（由本页的班次列表统计）",
    "greeting.counts_none": "这个月还没有班次。",
    "greeting.move_title": "改派班次",
    "greeting.move_shift": "{day} {window} {start}–{end}，{post}",
    "greeting.move_now": "现在由 {name} 值班。",
    "greeting.move_to": "改派给",
    "greeting.move_option": "{name}（本月 {n} 次）",
    "greeting.move_current": "{name}（本月 {n} 次，当前）",
    "greeting.move_save": "改派",
    "greeting.move_close": "关闭",
    "greeting.moved": "已改派：{day} 由 {name} 值班。",
    "greeting.move_same": "没有改变：{name} 本来就值这个班。",
    "greeting.on_leave": "{name} 请假",
    "greeting.leave_caption": "{site} 的请假记录（新的在前）",
    "greeting.move_gone": "这个班次已不在本月排班中（可能已被重新生成）。",
    "greeting.move_started": "这个班次已经开始或已过去，不能再改派。",
  },
  en: {
    "greeting.nav_rota": "Greeting rota",
    "greeting.nav_leave": "Managers' leave",
    "greeting.nav_settings": "Greeting settings",
    "greeting.no_sites": "There is no site you may see.",
    "greeting.failed": "Could not load: {message}",
    "greeting.wd0": "Mon",
    "greeting.wd1": "Tue",
    "greeting.wd2": "Wed",
    "greeting.wd3": "Thu",
    "greeting.wd4": "Fri",
    "greeting.wd5": "Sat",
    "greeting.wd6": "Sun",
    "greeting.window.morning": "Morning",
    "greeting.window.evening": "Evening",
    "greeting.window_text": "{window} {start}–{end} ({minutes} min)",
    "greeting.month_label": "{monthName} {year}",
    "greeting.day_label": "{weekday} {day} {monthName}",
    "greeting.no_post": "No post set",
    "greeting.unknown_manager": "(staff {id})",
    "greeting.status.scheduled": "Scheduled",
    "greeting.status.on_time": "On time",
    "greeting.status.late": "Late {late} min",
    "greeting.status.left_early": "Left {early} min early",
    "greeting.status.late_and_left_early": "Late and left early",
    "greeting.status.overstayed": "Stayed {over} min over",
    "greeting.status.missing_check_out": "No check-out",
    "greeting.status.no_show": "No-show",
    "greeting.settings_title": "Greeting settings",
    "greeting.settings_intro":
      "The site office's managers take turns greeting at the lobby or the estate gate: an office tower before the tenants' working day, an estate at the evening return peak, a mixed site both.",
    "greeting.windows_title": "Greeting windows",
    "greeting.windows_hint":
      "The windows come from the site's type and its working-day start or evening peak; their length is set below.",
    "greeting.no_windows":
      "This site has no greeting window yet: an office tower needs the tenants' working-day start, an estate the evening peak start (set them in the site's details).",
    "greeting.form_title": "Settings",
    "greeting.view_only": "Only administrators and supervisors can change the greeting settings.",
    "greeting.minutes": "Length of a shift (minutes)",
    "greeting.minutes_hint": "5–120 minutes; an office tower's window starts this long before work.",
    "greeting.weekdays": "Duty weekdays",
    "greeting.holidays": "Public holidays (no duty on these days)",
    "greeting.holidays_hint": "Statutory holidays that fall on a duty weekday.",
    "greeting.holidays_input": "Holiday to add",
    "greeting.extra_workdays": "Make-up working days 调休 (duty on these days too)",
    "greeting.extra_workdays_hint":
      "Working days the state moves onto a weekend: on duty even when not a duty weekday.",
    "greeting.extra_workdays_input": "Make-up working day to add",
    "greeting.add_date": "Add date",
    "greeting.remove_date": "Remove",
    "greeting.remove_date_label": "Remove {date}",
    "greeting.no_dates": "None yet.",
    "greeting.pick_date": "Choose a date first.",
    "greeting.date_twice": "{date} is already in the list.",
    "greeting.date_added": "Added to the list: {date} (takes effect when saved).",
    "greeting.posts_title": "Greeting posts",
    "greeting.morning_post": "Morning greeting post",
    "greeting.evening_post": "Evening greeting post",
    "greeting.no_post_option": "(none)",
    "greeting.post_inactive": "{name} (deactivated)",
    "greeting.window_is": "This site's morning window: {text}",
    "greeting.window_is_evening": "This site's evening window: {text}",
    "greeting.window_absent": "This site has no such window at present.",
    "greeting.judging_title": "Judging",
    "greeting.grace": "Grace for lateness (minutes)",
    "greeting.grace_hint": "A check-in this many minutes after the start is still on time (0–30).",
    "greeting.leave_grace": "Grace for leaving early (minutes)",
    "greeting.leave_grace_hint": "A check-out this many minutes before the end is not early (0–30).",
    "greeting.overstay": "Overstay (minutes)",
    "greeting.overstay_hint": "A check-out more than this long after the end counts as overstayed (1–120).",
    "greeting.swap_needs_supervisor": "Swaps need a supervisor's approval",
    "greeting.statutory": "Public holidays and make-up working days",
    "greeting.statutory_default": "By site type (offices follow, estates do not)",
    "greeting.statutory_yes": "Follow: no duty on public holidays, duty on make-up working days",
    "greeting.statutory_no": "Do not follow: duty on holidays as usual",
    "greeting.statutory_hint":
      "Now: {now}. The days come from the working-day calendar (the State Council's schedule and this site's own days); the dates typed below win.",
    "greeting.statutory_on": "follows the working-day calendar",
    "greeting.statutory_off": "does not follow the working-day calendar",
    "greeting.save": "Save settings",
    "greeting.saved_windows": "Saved. The greeting windows now: {windows}",
    "greeting.saved_no_windows": "Saved. This site has no greeting window at present.",
    "greeting.leave_title": "Managers' leave",
    "greeting.leave_rebuild":
      "Leave takes effect when that month's rota is built again: shifts already on the rota do not change by themselves.",
    "greeting.to_rota": "Go to the rota",
    "greeting.to_rota_month": "Rebuild the rota of {month}",
    "greeting.leave_form": "Record leave",
    "greeting.leave_staff": "Manager",
    "greeting.leave_first": "First day",
    "greeting.leave_last": "Last day (included)",
    "greeting.leave_note": "Reason",
    "greeting.leave_add": "Record",
    "greeting.leave_added":
      "Recorded {name}'s leave from {first} to {last}. It takes effect when the rota is rebuilt.",
    "greeting.no_managers": "This site has no active managers (staff whose job is manager).",
    "greeting.leave_list": "Leave recorded",
    "greeting.leave_days": "Days",
    "greeting.leave_state": "State",
    "greeting.leave_now": "On leave",
    "greeting.leave_coming": "To come",
    "greeting.leave_over": "Over",
    "greeting.leave_none": "No leave recorded at this site yet.",
    "greeting.rota_title": "Greeting rota",
    "greeting.month": "Month",
    "greeting.prev_month": "Previous month",
    "greeting.next_month": "Next month",
    "greeting.build_this": "Build this month's rota",
    "greeting.build_month": "Build the rota of {month}",
    "greeting.build_hint":
      "Managers take turns fairly, skipping leave and holidays, at most one shift a day each. Building again only redoes the shifts from tomorrow not yet checked in; shifts begun or past are kept as history.",
    "greeting.rebuild_confirm":
      "{month} already has {n} shifts. Building again redoes the shifts from tomorrow not yet checked in (shifts moved by hand too); shifts begun or past are kept. Go on?",
    "greeting.rebuild_yes": "Build again",
    "greeting.built": "The server made {made} shifts and kept {kept} shifts begun or past.",
    "greeting.built_none":
      "The server made no shifts (kept {kept} begun or past): this month has no duty day still to come.",
    "greeting.to_leave": "Record leave",
    "greeting.to_settings": "Greeting settings",
    "greeting.calendar_title": "Rota of {month}",
    "greeting.summary": "{n} shifts: {judged} judged, {scheduled} still to come.",
    "greeting.empty_month": "This month has no rota yet.",
    "greeting.move_hint": "Click a shift that has not begun to give it to another manager.",
    "greeting.tag_holiday": "Holiday",
    "greeting.tag_extra": "Make-up day",
    "greeting.tag_off": "No duty",
    "greeting.today": "Today",
    "greeting.counts_title": "This month's counts",
    "greeting.counts_caption": "Greeting shifts per manager this month",
    "greeting.counts_name": "Manager",
    "greeting.counts_total": "Total",
    "greeting.counts_spread": "{avg} each on average; most {max}, fewest {min}.",
    "greeting.counts_local": "(counted from this page's shifts)",
    "greeting.counts_none": "No shifts this month yet.",
    "greeting.move_title": "Move a shift",
    "greeting.move_shift": "{day} {window} {start}–{end}, {post}",
    "greeting.move_now": "Now on duty: {name}.",
    "greeting.move_to": "Give it to",
    "greeting.move_option": "{name} ({n} this month)",
    "greeting.move_current": "{name} ({n} this month, current)",
    "greeting.move_save": "Move",
    "greeting.move_close": "Close",
    "greeting.moved": "Moved: {name} is on duty on {day}.",
    "greeting.move_same": "Nothing changed: the shift was {name}'s already.",
    "greeting.on_leave": "{name} on leave",
    "greeting.leave_caption": "Leave at {site} (newest first)",
    "greeting.move_gone": "This shift is no longer on the month's rota (rebuilt, perhaps).",
    "greeting.move_started": "This shift has begun or is past; it can no longer be moved.",
  },
};

export function nav(user) {
  const role = user?.role;
  const entries = [];
  if (VIEWERS.has(role)) {
    entries.push({ route: "greeting-rota", label: t("greeting.nav_rota"), group: "greeting" });
  }
  if (PLANNERS.has(role)) {
    entries.push({ route: "greeting-leave", label: t("greeting.nav_leave"), group: "greeting" });
  }
  if (VIEWERS.has(role)) {
    entries.push({ route: "greeting-settings", label: t("greeting.nav_settings"), group: "greeting" });
  }
  return entries;
}

// ---------------------------------------------------------------- small helpers (this module)

function me() {
  return session()?.user || {};
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** "YYYY-MM-DD" of now at the site (its time zone), so "today" and "this month" are the site's. */
function siteToday(site) {
  try {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: site?.timezone || undefined,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(new Date());
  } catch {
    const now = new Date();
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }
}

function isoParts(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return { year, month, day };
}

/** 0 = Monday .. 6 = Sunday, as the server counts weekdays. */
function weekdayOf(iso) {
  const { year, month, day } = isoParts(iso);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

function monthName(month) {
  return new Date(Date.UTC(2000, month - 1, 1)).toLocaleString("en-GB", { month: "long", timeZone: "UTC" });
}

function monthLabel(monthInt) {
  const year = Math.floor(monthInt / 100);
  const month = monthInt % 100;
  return t("greeting.month_label", { year, month, monthName: monthName(month) });
}

function dayLabel(iso) {
  const { month, day } = isoParts(iso);
  return t("greeting.day_label", {
    month,
    day,
    monthName: monthName(month).slice(0, 3),
    weekday: t(`greeting.wd${weekdayOf(iso)}`),
  });
}

function endOf(start, minutes) {
  const [hours, mins] = start.split(":").map(Number);
  const total = (hours * 60 + mins + minutes) % (24 * 60);
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

function windowText(w) {
  return t("greeting.window_text", {
    window: t(`greeting.window.${w.code}`),
    start: w.start,
    end: endOf(w.start, w.minutes),
    minutes: w.minutes,
  });
}

function clock(iso) {
  const match = /T(\d{2}:\d{2})/.exec(iso || "");
  return match ? match[1] : "";
}

function statusText(shift) {
  return t(`greeting.status.${shift.status}`, {
    late: shift.late_minutes,
    early: shift.early_minutes,
    over: shift.overstay_minutes,
  });
}

function statusBadge(shift) {
  const kind = STATUS_CLASS[shift.status] || "muted";
  return h("span", { class: `badge ${kind}` }, statusText(shift));
}

function failed(error) {
  return h("p", { class: "error", role: "alert" }, t("greeting.failed", { message: reason(error) }));
}

function monthInt(value) {
  const match = /^(\d{4})-(\d{2})$/.exec(value || "");
  return match ? Number(match[1]) * 100 + Number(match[2]) : null;
}

function monthInput(monthNumber) {
  return `${Math.floor(monthNumber / 100)}-${pad(monthNumber % 100)}`;
}

function shiftMonth(monthNumber, delta) {
  let year = Math.floor(monthNumber / 100);
  let month = (monthNumber % 100) + delta;
  while (month < 1) {
    month += 12;
    year -= 1;
  }
  while (month > 12) {
    month -= 12;
    year += 1;
  }
  return year * 100 + month;
}

/** The site picker in a card, or a sentence when the person sees no site. */
async function pickSite(view, onChange) {
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("greeting.no_sites")));
    return null;
  }
  const picker = sitePicker(sites, onChange);
  picker.site = () => sites.find((s) => s.id === picker.value());
  return picker;
}

/** Each run of `load` supersedes the ones before: a slow old answer is not drawn. */
function latest() {
  let counter = 0;
  return () => {
    counter += 1;
    const mine = counter;
    return () => mine === counter;
  };
}

// ---------------------------------------------------------------- greeting-settings

/** A list of dates edited with one date input and add/remove buttons (kept until saved). */
function dateList(name, legend, hint, inputLabel) {
  let dates = [];
  const input = h("input", { type: "date", name, id: `greeting-${name}-input`, "data-skip": true });
  const note = h("p", {
    class: "gr-note",
    role: "status",
    "aria-live": "polite",
    id: `greeting-${name}-note`,
  });
  const list = h("ul", { class: "gr-dates", id: `greeting-${name}-list` });
  const add = h(
    "button",
    { type: "button", class: "small", id: `greeting-${name}-add` },
    t("greeting.add_date"),
  );
  function draw() {
    list.replaceChildren(
      ...dates.map((date) =>
        h(
          "li",
          { "data-date": date },
          h("span", {}, `${date}（${t(`greeting.wd${weekdayOf(date)}`)}）`),
          h(
            "button",
            {
              type: "button",
              class: "small",
              "aria-label": t("greeting.remove_date_label", { date }),
              onclick: () => {
                dates = dates.filter((d) => d !== date);
                note.textContent = "";
                draw();
                add.focus();
              },
            },
            t("greeting.remove_date"),
          ),
        ),
      ),
    );
    if (!dates.length) list.append(h("li", { class: "muted gr-none" }, t("greeting.no_dates")));
  }
  function addDate() {
    const date = input.value;
    if (!date) note.textContent = t("greeting.pick_date");
    else if (dates.includes(date)) note.textContent = t("greeting.date_twice", { date });
    else {
      dates = [...dates, date].sort();
      note.textContent = t("greeting.date_added", { date });
      input.value = "";
      draw();
    }
  }
  add.addEventListener("click", addDate);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter adds the date; it does not send the whole form
      addDate();
    }
  });
  const node = h(
    "fieldset",
    { id: `greeting-${name}` },
    h("legend", {}, legend),
    h("p", { class: "hint muted small" }, hint),
    h("div", { class: "gr-date-add" }, field(inputLabel, input), add),
    note,
    list,
  );
  return {
    node,
    values: () => [...dates],
    set(values) {
      dates = [...(values || [])].sort();
      note.textContent = "";
      draw();
    },
  };
}

function numberInput(name, min, max) {
  return h("input", { type: "number", name, min, max, step: 1, "data-type": "int", id: `greeting-${name}` });
}

function postSelect(name, posts, chosen) {
  const attrs = { id: `greeting-${name}`, "data-type": "int" };
  return select(name, postOptions(posts, chosen), chosen ?? "", attrs);
}

function withWeekday(iso) {
  return `${iso}（${t(`greeting.wd${weekdayOf(iso)}`)}）`;
}

function postOptions(posts, chosen) {
  const options = [["", t("greeting.no_post_option")]];
  for (const post of posts) {
    const name = post.active ? post.name : t("greeting.post_inactive", { name: post.name });
    options.push([post.id, name]);
  }
  if (chosen && !posts.some((p) => p.id === chosen)) options.push([chosen, `#${chosen}`]);
  return options;
}

async function renderSettings(view) {
  const canEdit = EDITORS.has(me().role);
  view.append(
    h("h1", {}, t("greeting.settings_title")),
    h("p", { class: "muted" }, t("greeting.settings_intro")),
  );
  const body = h("div", { id: "greeting-settings" });
  const current = latest();
  const picker = await pickSite(view, () => load());
  if (!picker) return;
  view.append(h("div", { class: "card gr-toolbar" }, picker.node), body);

  async function load() {
    const still = current();
    const siteId = picker.value();
    body.replaceChildren(h("p", { class: "muted" }, t("ui.loading")));
    try {
      const [settings, posts] = await Promise.all([
        api("GET", `/greeting/settings/${siteId}`),
        fetchAll("/posts", { site_id: siteId }),
      ]);
      if (still()) drawSettings(body, siteId, settings, posts, canEdit);
    } catch (error) {
      if (still()) body.replaceChildren(failed(error));
    }
  }
  await load();
}

function drawSettings(body, siteId, initial, posts, canEdit) {
  const windowsBox = h("div", { id: "greeting-windows" });
  const minutes = numberInput("minutes", 5, 120);
  const grace = numberInput("grace_minutes", 0, 30);
  const leaveGrace = numberInput("leave_grace_minutes", 0, 30);
  const overstay = numberInput("overstay_minutes", 1, 120);
  const weekdayBoxes = [0, 1, 2, 3, 4, 5, 6].map((d) =>
    h("input", {
      type: "checkbox",
      name: "weekdays",
      value: d,
      "data-type": "int-list",
      id: d === 0 ? "greeting-weekdays" : `greeting-weekdays-${d}`,
    }),
  );
  const holidays = dateList(
    "holidays",
    t("greeting.holidays"),
    t("greeting.holidays_hint"),
    t("greeting.holidays_input"),
  );
  const extra = dateList(
    "extra_workdays",
    t("greeting.extra_workdays"),
    t("greeting.extra_workdays_hint"),
    t("greeting.extra_workdays_input"),
  );
  const swap = h("input", {
    type: "checkbox",
    name: "swap_needs_supervisor",
    id: "greeting-swap_needs_supervisor",
  });
  const statutory = select(
    "statutory_calendar",
    [
      ["", t("greeting.statutory_default")],
      ["true", t("greeting.statutory_yes")],
      ["false", t("greeting.statutory_no")],
    ],
    "",
    { id: "greeting-statutory_calendar" },
  );
  const statutoryHint = h("span", {});
  const postSlots = { morning: h("span", {}), evening: h("span", {}) };
  const morningHint = h("small", { class: "hint", id: "greeting-morning-hint" });
  const eveningHint = h("small", { class: "hint", id: "greeting-evening-hint" });
  let morningPost = null;
  let eveningPost = null;

  function drawWindows(settings) {
    const windows = settings.windows || [];
    windowsBox.replaceChildren(
      windows.length
        ? h(
            "ul",
            { class: "gr-windows", id: "greeting-window-list" },
            windows.map((w) => h("li", { "data-code": w.code }, windowText(w))),
          )
        : h("p", { class: "warning", id: "greeting-no-windows" }, t("greeting.no_windows")),
    );
    const morning = windows.find((w) => w.code === "morning");
    const evening = windows.find((w) => w.code === "evening");
    morningHint.textContent = morning
      ? t("greeting.window_is", { text: windowText(morning) })
      : t("greeting.window_absent");
    eveningHint.textContent = evening
      ? t("greeting.window_is_evening", { text: windowText(evening) })
      : t("greeting.window_absent");
  }

  function fill(settings) {
    minutes.value = settings.minutes;
    grace.value = settings.grace_minutes;
    leaveGrace.value = settings.leave_grace_minutes;
    overstay.value = settings.overstay_minutes;
    weekdayBoxes.forEach((box, d) => (box.checked = (settings.weekdays || []).includes(d)));
    holidays.set(settings.holidays);
    extra.set(settings.extra_workdays);
    swap.checked = Boolean(settings.swap_needs_supervisor);
    statutory.value = settings.statutory_calendar === null ? "" : String(settings.statutory_calendar);
    statutoryHint.textContent = t("greeting.statutory_hint", {
      now: t(settings.follows_statutory_calendar ? "greeting.statutory_on" : "greeting.statutory_off"),
    });
    morningPost = postSelect("morning_post_id", posts, settings.morning_post_id);
    eveningPost = postSelect("evening_post_id", posts, settings.evening_post_id);
    postSlots.morning.replaceChildren(fieldWithHint(t("greeting.morning_post"), morningPost, morningHint));
    postSlots.evening.replaceChildren(fieldWithHint(t("greeting.evening_post"), eveningPost, eveningHint));
    drawWindows(settings);
  }

  const answer = answerBox({ id: "greeting-settings-answer" });
  const controls = h(
    "fieldset",
    { class: "gr-plain", disabled: !canEdit, style: "border: 0; padding: 0; margin: 0" },
    h(
      "div",
      { class: "gr-grid" },
      h(
        "div",
        {},
        field(t("greeting.minutes"), minutes, t("greeting.minutes_hint")),
        h(
          "fieldset",
          {},
          h("legend", {}, t("greeting.weekdays")),
          h(
            "div",
            { class: "checks" },
            weekdayBoxes.map((box, d) => h("label", { for: box.id }, box, t(`greeting.wd${d}`))),
          ),
          h("small", { class: "gr-error", id: "greeting-weekdays-error" }),
        ),
        h("h3", {}, t("greeting.posts_title")),
        postSlots.morning,
        postSlots.evening,
      ),
      h(
        "div",
        {},
        h("h3", {}, t("greeting.judging_title")),
        field(t("greeting.grace"), grace, t("greeting.grace_hint")),
        field(t("greeting.leave_grace"), leaveGrace, t("greeting.leave_grace_hint")),
        field(t("greeting.overstay"), overstay, t("greeting.overstay_hint")),
        h(
          "div",
          { class: "checks field" },
          h("label", { for: swap.id }, swap, t("greeting.swap_needs_supervisor")),
        ),
      ),
    ),
    field(t("greeting.statutory"), statutory, statutoryHint),
    h("div", { class: "gr-grid" }, holidays.node, extra.node),
  );
  const form = h(
    "form",
    { id: "greeting-settings-form", class: "card", novalidate: true },
    h("h2", {}, t("greeting.form_title")),
    canEdit ? null : h("p", { class: "muted", id: "greeting-settings-view-only" }, t("greeting.view_only")),
    controls,
    canEdit
      ? h("button", { type: "submit", class: "primary", id: "greeting-settings-save" }, t("greeting.save"))
      : null,
    answer,
  );
  fill(initial);
  if (canEdit) {
    onSubmit(
      form,
      answer,
      (values) =>
        api("PUT", `/greeting/settings/${siteId}`, {
          json: {
            ...values,
            statutory_calendar:
              values.statutory_calendar === "" ? null : values.statutory_calendar === "true",
            holidays: holidays.values(),
            extra_workdays: extra.values(),
          },
        }),
      {
        ok: (saved) =>
          saved.windows?.length
            ? t("greeting.saved_windows", { windows: saved.windows.map(windowText).join("；") })
            : t("greeting.saved_no_windows"),
        after: (saved) => fill(saved),
      },
    );
  }
  body.replaceChildren(
    h(
      "section",
      { class: "card", "aria-labelledby": "greeting-windows-title" },
      h("h2", { id: "greeting-windows-title" }, t("greeting.windows_title")),
      windowsBox,
      h("p", { class: "muted small" }, t("greeting.windows_hint")),
    ),
    form,
  );
}

/** field() with a hint element made beforehand (its text changes with the windows). */
function fieldWithHint(label, control, hint) {
  const node = field(label, control);
  control.setAttribute("aria-describedby", `${hint.id} ${control.getAttribute("aria-describedby")}`);
  node.insertBefore(hint, node.querySelector(".field-error"));
  return node;
}

// ---------------------------------------------------------------- greeting-leave

async function renderLeave(view) {
  view.append(h("h1", {}, t("greeting.leave_title")));
  const body = h("div", { id: "greeting-leave" });
  const current = latest();
  const picker = await pickSite(view, () => load());
  if (!picker) return;
  const rotaLink = h(
    "a",
    { class: "button", href: "#/greeting-rota", id: "greeting-leave-to-rota" },
    t("greeting.to_rota"),
  );
  view.append(
    h("div", { class: "card gr-toolbar" }, picker.node),
    h(
      "div",
      { class: "warning", id: "greeting-leave-rebuild" },
      h("p", {}, t("greeting.leave_rebuild")),
      rotaLink,
    ),
    body,
  );

  async function load(keep = null) {
    const still = current();
    const siteId = picker.value();
    if (!keep) body.replaceChildren(h("p", { class: "muted" }, t("ui.loading")));
    try {
      const [managers, leave] = await Promise.all([
        fetchAll("/staff", { site_id: siteId, job: "manager" }),
        api("GET", "/greeting/leave", { query: { site_id: siteId, page_size: 100 } }),
      ]);
      if (!still()) return;
      drawLeave(body, picker.site(), managers, leave, keep, (answerText, month) =>
        load({ answerText, month }),
      );
    } catch (error) {
      if (still()) body.replaceChildren(failed(error));
    }
  }
  await load();
}

function drawLeave(body, site, managers, leave, keep, reload) {
  const names = new Map(managers.map((m) => [m.id, m.name]));
  const active = managers.filter((m) => m.active);
  const today = siteToday(site);
  const staff = select(
    "staff_id",
    [["", t("ui.choose")], ...active.map((m) => [m.id, `${m.name}（${m.employee_no}）`])],
    "",
    { id: "greeting-leave-staff", "data-type": "int" },
  );
  const first = h("input", { type: "date", name: "first_day", id: "greeting-leave-first" });
  const last = h("input", { type: "date", name: "last_day", id: "greeting-leave-last" });
  const note = h("input", { name: "note", id: "greeting-leave-note", maxlength: 200 });
  first.addEventListener("change", () => {
    if (first.value && (!last.value || last.value < first.value)) last.value = first.value;
  });
  const answer = answerBox({ id: "greeting-leave-answer" });
  const afterLink = h("p", { id: "greeting-leave-after" });
  const form = h(
    "form",
    { id: "greeting-leave-form", class: "card", novalidate: true },
    h("h2", {}, t("greeting.leave_form")),
    active.length ? null : h("p", { class: "warning" }, t("greeting.no_managers")),
    h(
      "div",
      { class: "row gr-leave-row" },
      field(t("greeting.leave_staff"), staff),
      field(t("greeting.leave_first"), first),
      field(t("greeting.leave_last"), last),
      wide(field(t("greeting.leave_note"), note)),
    ),
    h(
      "button",
      { type: "submit", class: "primary", id: "greeting-leave-add", disabled: !active.length },
      t("greeting.leave_add"),
    ),
    answer,
    afterLink,
  );
  if (keep?.answerText) {
    answer.ok(keep.answerText);
    showRotaLink(afterLink, keep.month);
  }
  onSubmit(form, answer, (values) => api("POST", "/greeting/leave", { json: values }), {
    ok: (saved) =>
      t("greeting.leave_added", {
        name: names.get(saved.staff_id) || t("greeting.unknown_manager", { id: saved.staff_id }),
        first: saved.first_day,
        last: saved.last_day,
      }),
    after: async (saved) => {
      const month = Number(saved.first_day.slice(0, 4)) * 100 + Number(saved.first_day.slice(5, 7));
      await reload(answer.textContent, month);
      document.getElementById("greeting-leave-after-link")?.focus();
    },
  });

  const rows = [...leave].sort((a, b) => b.first_day.localeCompare(a.first_day) || b.id - a.id);
  const dayCount = (row) =>
    Math.round((Date.parse(`${row.last_day}T00:00Z`) - Date.parse(`${row.first_day}T00:00Z`)) / 86400000) + 1;
  const state = (row) => {
    if (row.last_day < today) return h("span", { class: "badge muted" }, t("greeting.leave_over"));
    if (row.first_day > today) return h("span", { class: "badge warn" }, t("greeting.leave_coming"));
    return h("span", { class: "badge ok" }, t("greeting.leave_now"));
  };
  const list = h(
    "section",
    { id: "greeting-leave-list", "aria-labelledby": "greeting-leave-list-title" },
    h("h2", { id: "greeting-leave-list-title" }, t("greeting.leave_list")),
    table(
      [
        {
          label: t("greeting.leave_staff"),
          value: (r) => names.get(r.staff_id) || t("greeting.unknown_manager", { id: r.staff_id }),
        },
        { label: t("greeting.leave_first"), value: (r) => withWeekday(r.first_day), class: "gr-nowrap" },
        { label: t("greeting.leave_last"), value: (r) => withWeekday(r.last_day), class: "gr-nowrap" },
        { label: t("greeting.leave_days"), value: dayCount, class: "num" },
        { label: t("greeting.leave_note"), value: (r) => r.note },
        { label: t("greeting.leave_state"), value: state },
      ],
      rows,
      {
        caption: t("greeting.leave_caption", { site: site?.name || "" }),
        rowAttrs: (r) => ({ "data-id": r.id, "data-staff-id": r.staff_id }),
        empty: t("greeting.leave_none"),
      },
    ),
  );
  body.replaceChildren(form, list);
}

function wide(node) {
  node.classList.add("gr-wide");
  return node;
}

function showRotaLink(slot, month) {
  slot.replaceChildren(
    h(
      "a",
      {
        class: "button primary",
        id: "greeting-leave-after-link",
        href: `#/greeting-rota/${monthInput(month)}`,
      },
      t("greeting.to_rota_month", { month: monthLabel(month) }),
    ),
  );
}

// ---------------------------------------------------------------- greeting-rota

/** Each manager's total and per-window count, as GET /greeting/rota-counts gives them. */
function countShifts(shifts, managers) {
  const counts = new Map();
  for (const m of managers.filter((x) => x.active)) {
    counts.set(m.id, { staff_id: m.id, name: m.name, total: 0, by_window: {} });
  }
  for (const shift of shifts) {
    if (!counts.has(shift.manager_id)) {
      counts.set(shift.manager_id, {
        staff_id: shift.manager_id,
        name: shift.manager_name,
        total: 0,
        by_window: {},
      });
    }
    const row = counts.get(shift.manager_id);
    row.total += 1;
    row.by_window[shift.window] = (row.by_window[shift.window] || 0) + 1;
  }
  return [...counts.values()];
}

async function readCounts(siteId, month, shifts, managers) {
  try {
    const answer = await api("GET", "/greeting/rota-counts", { query: { site_id: siteId, month } });
    return { counts: answer.counts || [], local: false };
  } catch (error) {
    if (error.status !== 404) throw error;
    // Not on this server yet: the same counts from the month's shifts.
    return { counts: countShifts(shifts, managers), local: true };
  }
}

async function renderRota(view, params) {
  const role = me().role;
  const canBuild = PLANNERS.has(role);
  const canMove = EDITORS.has(role);
  view.append(h("h1", {}, t("greeting.rota_title")));
  const current = latest();
  const picker = await pickSite(view, () => load());
  if (!picker) return;
  let month = monthInt(params[0]);
  let data = null; // {shifts, settings, managers, posts, counts, local}
  let chosen = null; // the shift id whose move form is open

  const monthControl = h("input", { type: "month", name: "month", id: "greeting-rota-month" });
  const prev = h("button", { type: "button", id: "greeting-rota-prev" }, t("greeting.prev_month"));
  const next = h("button", { type: "button", id: "greeting-rota-next" }, t("greeting.next_month"));
  const build = h("button", { type: "button", class: "primary", id: "greeting-rota-generate" }, "");
  const buildAnswer = answerBox({ id: "greeting-rota-answer" });
  const buildWarning = h("div", { id: "greeting-rota-warning" });
  const links = h(
    "p",
    { class: "gr-links" },
    canBuild
      ? h("a", { href: "#/greeting-leave", id: "greeting-rota-to-leave" }, t("greeting.to_leave"))
      : null,
    canBuild ? " · " : null,
    h("a", { href: "#/greeting-settings", id: "greeting-rota-to-settings" }, t("greeting.to_settings")),
  );
  const area = (className, id, attrs = {}) =>
    h("section", { class: `${className} card`, id, "aria-labelledby": `${id}-title`, ...attrs });
  const calArea = area("gr-cal-area", "greeting-calendar");
  const movePanel = area("gr-move", "greeting-move", { hidden: true });
  const countsArea = area("gr-counts", "greeting-counts");
  view.append(
    h(
      "div",
      { class: "card" },
      h(
        "div",
        { class: "gr-toolbar" },
        picker.node,
        field(t("greeting.month"), monthControl),
        h("div", {}, prev, next),
        links,
      ),
      canBuild
        ? h(
            "div",
            { id: "greeting-rota-build" },
            h("p", { class: "muted small" }, t("greeting.build_hint")),
            build,
            buildAnswer,
            buildWarning,
          )
        : null,
    ),
    h("div", { class: "gr-rota" }, calArea, movePanel, countsArea),
  );

  function setMonth(value) {
    month = value;
    monthControl.value = monthInput(value);
    const thisMonth = monthInt(siteToday(picker.site()).slice(0, 7));
    build.textContent =
      value === thisMonth
        ? t("greeting.build_this")
        : t("greeting.build_month", { month: monthLabel(value) });
    history.replaceState(null, "", `#/greeting-rota/${monthInput(value)}`);
  }

  monthControl.addEventListener("change", () => {
    const value = monthInt(monthControl.value);
    if (value) {
      setMonth(value);
      buildAnswer.clear();
      buildWarning.replaceChildren();
      load();
    }
  });
  for (const [button, delta] of [
    [prev, -1],
    [next, 1],
  ]) {
    button.addEventListener("click", () => {
      setMonth(shiftMonth(month, delta));
      buildAnswer.clear();
      buildWarning.replaceChildren();
      load();
    });
  }

  build.addEventListener("click", async () => {
    if (build.disabled) return;
    build.disabled = true;
    try {
      const existing = data?.shifts?.length || 0;
      if (existing) {
        const question = t("greeting.rebuild_confirm", { month: monthLabel(month), n: existing });
        const yes = await confirmDialog(question, { yes: t("greeting.rebuild_yes") });
        if (!yes) return;
      }
      buildAnswer.busy();
      buildWarning.replaceChildren();
      try {
        const result = await api("POST", "/greeting/rota", { json: { site_id: picker.value(), month } });
        buildAnswer.ok(
          result.made
            ? t("greeting.built", { made: result.made, kept: result.kept ?? 0 })
            : t("greeting.built_none", { kept: result.kept ?? 0 }),
        );
        const warnings = [result.warning, result.warnings, result.message].flat().filter(Boolean);
        buildWarning.replaceChildren(...warnings.map((w) => h("p", { class: "warning" }, String(w))));
        await load();
      } catch (error) {
        buildAnswer.refused(error);
      }
    } finally {
      build.disabled = false;
    }
  });

  async function load() {
    const still = current();
    const siteId = picker.value();
    if (!month) setMonth(monthInt(siteToday(picker.site()).slice(0, 7)));
    else setMonth(month);
    if (!data || data.siteId !== siteId || data.month !== month) {
      calArea.replaceChildren(h("p", { class: "muted" }, t("ui.loading")));
      countsArea.replaceChildren();
      closeMove();
    }
    try {
      const [shifts, settings, managers, posts, leave] = await Promise.all([
        fetchAll("/greeting/shifts", { site_id: siteId, month }),
        api("GET", `/greeting/settings/${siteId}`),
        fetchAll("/staff", { site_id: siteId, job: "manager" }),
        fetchAll("/posts", { site_id: siteId }),
        // Leave is for the planners' eyes (the API's rule): shown in the days when they may read it.
        canBuild ? api("GET", "/greeting/leave", { query: { site_id: siteId, page_size: 100 } }) : [],
      ]);
      const { counts, local } = await readCounts(siteId, month, shifts, managers);
      if (!still()) return;
      data = { siteId, month, shifts, settings, managers, posts, counts, local, leave };
      drawCalendar();
      drawCounts();
      if (chosen !== null) openMove(chosen, { keepAnswer: true });
    } catch (error) {
      if (!still()) return;
      data = null;
      calArea.replaceChildren(failed(error));
      countsArea.replaceChildren();
    }
  }

  function managerName(id) {
    return data.managers.find((m) => m.id === id)?.name || t("greeting.unknown_manager", { id });
  }

  function postName(id) {
    if (id === null || id === undefined) return t("greeting.no_post");
    return data.posts.find((p) => p.id === id)?.name || `#${id}`;
  }

  function movable(shift) {
    return canMove && shift.status === "scheduled" && Date.parse(shift.starts_at) > Date.now();
  }

  function drawCalendar() {
    const { shifts, settings } = data;
    const year = Math.floor(month / 100);
    const mon = month % 100;
    const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
    const today = siteToday(picker.site());
    const holidays = new Set(settings.holidays || []);
    const extra = new Set(settings.extra_workdays || []);
    const weekdays = new Set(settings.weekdays || []);
    const mixed = (settings.windows || []).length > 1;
    const byDay = new Map();
    for (const shift of shifts) {
      if (!byDay.has(shift.day)) byDay.set(shift.day, []);
      byDay.get(shift.day).push(shift);
    }
    const anyMovable = shifts.some(movable);
    const judged = shifts.filter((s) => s.status !== "scheduled").length;
    const cells = [];
    for (let d = 1; d <= days; d += 1) {
      const iso = `${year}-${pad(mon)}-${pad(d)}`;
      const weekday = weekdayOf(iso);
      const dayShifts = byDay.get(iso) || [];
      const away = [
        ...new Set(data.leave.filter((l) => l.first_day <= iso && iso <= l.last_day).map((l) => l.staff_id)),
      ];
      let tag = null;
      let off = false;
      if (holidays.has(iso)) {
        tag = t("greeting.tag_holiday");
        off = true;
      } else if (extra.has(iso)) tag = t("greeting.tag_extra");
      else if (!weekdays.has(weekday)) {
        tag = t("greeting.tag_off");
        off = true;
      }
      const classes = [
        "gr-day",
        off ? "off" : "",
        iso === today ? "today" : "",
        dayShifts.length || away.length ? "" : "empty",
      ];
      cells.push(
        h(
          "li",
          {
            class: classes.filter(Boolean).join(" "),
            "data-day": iso,
            style: d === 1 ? `grid-column-start: ${weekday + 1}` : null,
          },
          h(
            "h3",
            {},
            h("span", { class: "gr-short", "aria-hidden": "true" }, String(d)),
            h("span", { class: "gr-long" }, dayLabel(iso)),
            iso === today ? h("span", { class: "gr-today" }, t("greeting.today")) : null,
            tag ? h("span", { class: "gr-tag" }, tag) : null,
          ),
          dayShifts.map((shift) => shiftNode(shift, mixed)),
          away.map((staffId) =>
            h(
              "p",
              { class: "gr-away", "data-staff-id": staffId },
              t("greeting.on_leave", { name: managerName(staffId) }),
            ),
          ),
        ),
      );
    }
    calArea.replaceChildren(
      h("h2", { id: "greeting-cal-title" }, t("greeting.calendar_title", { month: monthLabel(month) })),
      h(
        "p",
        { class: "muted small", id: "greeting-rota-summary" },
        shifts.length
          ? t("greeting.summary", { n: shifts.length, judged, scheduled: shifts.length - judged })
          : t("greeting.empty_month"),
        anyMovable ? h("span", { id: "greeting-move-hint" }, ` ${t("greeting.move_hint")}`) : null,
      ),
      h(
        "div",
        { class: "gr-weekdays", "aria-hidden": "true" },
        [0, 1, 2, 3, 4, 5, 6].map((d) => h("div", {}, t(`greeting.wd${d}`))),
      ),
      h("ol", { class: "gr-cal", id: "greeting-cal", "aria-label": monthLabel(month) }, cells),
    );
  }

  function shiftNode(shift, mixed) {
    const kind = STATUS_CLASS[shift.status] || "muted";
    const time = `${clock(shift.starts_at)}–${clock(shift.ends_at)}`;
    const parts = [
      h("span", { class: "gr-time" }, mixed ? `${t(`greeting.window.${shift.window}`)} ${time}` : time),
      h("span", { class: "gr-who" }, shift.manager_name || managerName(shift.manager_id)),
      h("span", { class: "gr-post" }, postName(shift.post_id)),
      h("span", { class: "gr-st" }, statusBadge(shift)),
    ];
    const attrs = {
      class: `gr-shift st-${kind}${shift.id === chosen ? " selected" : ""}`,
      "data-id": shift.id,
      "data-manager-id": shift.manager_id,
      "data-status": shift.status,
    };
    if (!movable(shift)) return h("div", attrs, parts);
    return h(
      "button",
      {
        ...attrs,
        type: "button",
        "aria-describedby": "greeting-move-hint",
        "aria-expanded": shift.id === chosen ? "true" : "false",
        "aria-controls": "greeting-move",
        onclick: () => openMove(shift.id),
      },
      parts,
    );
  }

  function countOf(staffId) {
    return data.counts.find((c) => c.staff_id === staffId)?.total ?? 0;
  }

  function drawCounts() {
    const { counts, settings, local } = data;
    const codes = [
      ...new Set([
        ...(settings.windows || []).map((w) => w.code),
        ...counts.flatMap((c) => Object.keys(c.by_window || {})),
      ]),
    ];
    const columns = [
      { label: t("greeting.counts_name"), value: (c) => c.name },
      { label: t("greeting.counts_total"), value: (c) => c.total, class: "num" },
    ];
    if (codes.length > 1) {
      for (const code of codes) {
        columns.push({
          label: t(`greeting.window.${code}`),
          value: (c) => c.by_window?.[code] ?? 0,
          class: "num",
        });
      }
    }
    const totals = counts.map((c) => c.total);
    const spread =
      totals.length && totals.some((n) => n > 0)
        ? h(
            "p",
            { class: "gr-spread", id: "greeting-counts-spread" },
            t("greeting.counts_spread", {
              avg: (totals.reduce((a, b) => a + b, 0) / totals.length).toFixed(1).replace(/\.0$/, ""),
              max: Math.max(...totals),
              min: Math.min(...totals),
            }),
          )
        : null;
    countsArea.replaceChildren(
      ...[
        h("h2", { id: "greeting-counts-title" }, t("greeting.counts_title")),
        table(columns, counts, {
          caption: t("greeting.counts_caption"),
          rowAttrs: (c) => ({ "data-staff-id": c.staff_id, id: `greeting-count-${c.staff_id}` }),
          empty: t("greeting.counts_none"),
        }),
        spread,
        local
          ? h("p", { class: "muted small", id: "greeting-counts-local" }, t("greeting.counts_local"))
          : null,
      ].filter(Boolean),
    );
  }

  function closeMove() {
    const was = chosen;
    chosen = null;
    movePanel.hidden = true;
    movePanel.replaceChildren();
    for (const node of calArea.querySelectorAll(".gr-shift.selected")) {
      node.classList.remove("selected");
      if (node.tagName === "BUTTON") node.setAttribute("aria-expanded", "false");
    }
    return was;
  }

  function openMove(shiftId, { keepAnswer = false } = {}) {
    const previous = keepAnswer ? movePanel.querySelector("#greeting-move-answer") : null;
    const focused = document.activeElement;
    const focusHere = !keepAnswer || movePanel.contains(focused) || focused === document.body;
    const shift = data.shifts.find((s) => s.id === shiftId);
    for (const node of calArea.querySelectorAll(".gr-shift")) {
      const mine = Number(node.dataset.id) === shiftId;
      node.classList.toggle("selected", mine);
      if (node.tagName === "BUTTON") node.setAttribute("aria-expanded", String(mine));
    }
    chosen = shiftId;
    movePanel.hidden = false;
    const answer = answerBox({ id: "greeting-move-answer" });
    if (previous) {
      answer.className = previous.className;
      answer.textContent = previous.textContent;
    }
    const close = h("button", { type: "button", id: "greeting-move-close" }, t("greeting.move_close"));
    close.addEventListener("click", () => {
      const was = closeMove();
      calArea.querySelector(`.gr-shift[data-id="${was}"]`)?.focus();
    });
    const heading = h("h2", { id: "greeting-move-title" }, t("greeting.move_title"));
    if (!shift) {
      movePanel.replaceChildren(heading, answer, h("p", { class: "muted" }, t("greeting.move_gone")), close);
      return;
    }
    const what = h(
      "p",
      { class: "gr-what", id: "greeting-move-what" },
      t("greeting.move_shift", {
        day: dayLabel(shift.day),
        window: t(`greeting.window.${shift.window}`),
        start: clock(shift.starts_at),
        end: clock(shift.ends_at),
        post: postName(shift.post_id),
      }),
    );
    const now = h("p", {}, t("greeting.move_now", { name: shift.manager_name }), " ", statusBadge(shift));
    if (!movable(shift)) {
      const started = h("p", { class: "muted" }, t("greeting.move_started"));
      movePanel.replaceChildren(heading, what, now, answer, started, close);
      return;
    }
    const managers = data.managers.filter((m) => m.active || m.id === shift.manager_id);
    const options = managers.map((m) => [
      m.id,
      t(m.id === shift.manager_id ? "greeting.move_current" : "greeting.move_option", {
        name: m.name,
        n: countOf(m.id),
      }),
    ]);
    const choice = select("manager_id", options, shift.manager_id, {
      id: "greeting-move-manager",
      "data-type": "int",
    });
    const form = h(
      "form",
      { id: "greeting-move-form", novalidate: true },
      field(t("greeting.move_to"), choice),
      h("button", { type: "submit", class: "primary", id: "greeting-move-save" }, t("greeting.move_save")),
      close,
      answer,
    );
    const send = (values) =>
      api("PATCH", `/greeting/shifts/${shift.id}`, { json: { manager_id: values.manager_id } });
    onSubmit(form, answer, send, {
      ok: (saved) =>
        saved?.manager_id === shift.manager_id
          ? t("greeting.move_same", { name: saved.manager_name || shift.manager_name })
          : t("greeting.moved", {
              day: dayLabel(saved?.day || shift.day),
              name: saved?.manager_name || data.managers.find((m) => m.id === saved?.manager_id)?.name || "",
            }),
      after: () => load(),
    });
    movePanel.replaceChildren(heading, what, now, form);
    if (focusHere) choice.focus();
  }

  await load();
}

export const routes = {
  "greeting-settings": renderSettings,
  "greeting-leave": renderLeave,
  "greeting-rota": renderRota,
};
