// Supervisor screens 主管: inspect a staff member or an area against a checklist, then verify
// rectifications 整改 and anomalies 异常. The server scores every inspection; nothing here adds
// up points.

import { t } from "../i18n.js";

export const messages = {
  zh: {
    "sv.lang": "zh",
    "sv.menu.inspect": "检查",
    "sv.menu.rectifications": "整改验证",
    "sv.menu.anomalies": "异常跟进",
    "sv.pick.title": "选择检查对象",
    "sv.pick.staff": "员工",
    "sv.pick.search": "姓名或工号",
    "sv.pick.searching": "正在查找…",
    "sv.pick.none": "没有找到",
    "sv.pick.areas": "区域",
    "sv.pick.no_areas": "没有区域",
    "sv.lists.title": "适用的检查表",
    "sv.lists.none": "没有适用的检查表",
    "sv.lists.items": "{n} 项",
    "sv.form.requirement": "应当",
    "sv.form.fault": "不可",
    "sv.form.impression": "留给客户感觉",
    "sv.form.critical": "红线",
    "sv.form.pass": "合格",
    "sv.form.fail": "不合格",
    "sv.form.na": "不适用",
    "sv.form.photo": "拍照",
    "sv.form.photo_more": "再拍一张",
    "sv.form.photo_needed": "不合格项需拍照取证",
    "sv.form.uploading": "照片上传中…",
    "sv.form.upload_failed": "照片上传失败：{msg}",
    "sv.form.note": "备注（可选）",
    "sv.form.limit": "限时 {s} 秒",
    "sv.form.start": "开始计时",
    "sv.form.stop": "停止",
    "sv.form.reset": "重新计时",
    "sv.form.seconds": "{s} 秒",
    "sv.form.left": "还有 {n} 项未选",
    "sv.form.submit": "提交",
    "sv.form.submitting": "正在提交…",
    "sv.form.retry": "重新提交",
    "sv.form.offline": "服务器暂时无法处理，检查未提交。稍后点“重新提交”，不会重复。",
    "sv.form.queued": "没有信号：检查已保存在本机，有信号后自动发送",
    "sv.form.photo_saved": "没有信号：照片已保存在本机，随检查一起发送",
    "sv.form.refused": "服务器未接受：{msg}",
    "sv.result.title": "检查结果",
    "sv.result.score": "得分",
    "sv.result.no_score": "无得分（全部不适用）",
    "sv.result.grade": "等级",
    "sv.result.passed": "达标",
    "sv.result.failed": "未达标",
    "sv.result.critical": "有红线项不合格",
    "sv.result.items": "检查项",
    "sv.result.measured": "用时 {s} 秒",
    "sv.result.rectifications": "已生成 {n} 项整改",
    "sv.result.coaching": "已生成 {n} 项辅导",
    "sv.result.coaching_one": "已生成 1 项辅导",
    "sv.result.again": "检查下一位",
    "sv.result.superseded": "已被更正记录取代",
    "sv.rect.title": "待验证的整改",
    "sv.rect.open": "未完成的整改",
    "sv.rect.none": "没有待验证的整改",
    "sv.rect.none_open": "没有未完成的整改",
    "sv.rect.due": "期限 {t}",
    "sv.rect.overdue": "已逾期",
    "sv.rect.done_note": "完成说明：{n}",
    "sv.rect.verify": "验证通过",
    "sv.rect.reopen": "退回重做",
    "sv.rect.note": "验证说明",
    "sv.rect.verified": "已验证",
    "sv.rect.reopened": "已退回",
    "sv.anom.title": "未处理的异常",
    "sv.anom.resolved_title": "已处理待确认的异常",
    "sv.anom.none": "没有异常",
    "sv.anom.resolve": "标记已处理",
    "sv.anom.close": "确认关闭",
    "sv.anom.reopen": "重新打开",
    "sv.anom.note": "处理说明",
    "sv.anom.saved": "已保存",
    "sv.status.open": "待整改",
    "sv.status.done": "已完成待验证",
    "sv.status.verified": "已验证",
    "sv.status.reopened": "已退回",
    "sv.cat.lighting": "照明",
    "sv.cat.water_leak": "漏水",
    "sv.cat.fire_exit_blocked": "消防通道堵塞",
    "sv.cat.fire_equipment": "消防设施",
    "sv.cat.security": "治安",
    "sv.cat.cleanliness": "卫生",
    "sv.cat.facility_damage": "设施损坏",
    "sv.cat.check_item_failed": "检查项不合格",
    "sv.cat.other": "其他",
    "sv.loading": "加载中…",
    "sv.error": "出错了：{msg}",
    "sv.back": "返回",
    "sv.offline_load": "没有信号，无法加载；有信号后再试。",
    "sv.from_phone": "没有信号：显示本机保存的名单（{t}）",
    "sv.not_on_phone": "没有信号，本机也没有保存此名单；有信号时先打开一次“检查”。",
    "sv.ready_offline": "已保存在本机，没有信号也能检查",
    "sv.site": "项目",
    "sv.search_on_phone": "没有信号：在本机保存的名单中查找",
    "sv.form.all_pass": "其余全部合格",
    "sv.form.all_pass_timed": "限时项须先计时：{items}",
    "sv.form.next": "还有 {n} 项未选 · 去第一项",
    "sv.form.needs_photo": "「{item}」不合格，须拍照 · 去此项",
    "sv.form.photo_first": "不合格项须拍照取证：「{item}」",
    "sv.result.grade_floor": "等级 {code}（{floor} 分及以上）",
    "sv.result.pass_mark": "达标线 {mark} 分：{outcome}",
    "sv.photo.reused": "疑似重复使用的照片",
    "sv.anom.place": "地点",
    "sv.anom.reporter": "报告人：{name}",
    "sv.anom.item": "检查项",
    "sv.queued.title": "本机保存的检查",
    "sv.queued.waiting": "等待发送",
    "sv.queued.refused": "被服务器拒绝",
    "sv.queued.sent": "已发送 · 得分 {score}",
    "sv.queued.sent_no_score": "已发送 · 无得分",
  },
  en: {
    "sv.lang": "en",
    "sv.menu.inspect": "Inspect",
    "sv.menu.rectifications": "Verify rectifications",
    "sv.menu.anomalies": "Follow up anomalies",
    "sv.pick.title": "Whom or what to inspect",
    "sv.pick.staff": "Staff",
    "sv.pick.search": "Name or staff number",
    "sv.pick.searching": "Searching…",
    "sv.pick.none": "Nobody found",
    "sv.pick.areas": "Areas",
    "sv.pick.no_areas": "No areas",
    "sv.lists.title": "Checklists that apply",
    "sv.lists.none": "No checklist applies",
    "sv.lists.items": "{n} items",
    "sv.form.requirement": "Required",
    "sv.form.fault": "Fault",
    "sv.form.impression": "Impression on a client",
    "sv.form.critical": "Red line",
    "sv.form.pass": "Pass",
    "sv.form.fail": "Fail",
    "sv.form.na": "N/A",
    "sv.form.photo": "Take photo",
    "sv.form.photo_more": "Another photo",
    "sv.form.photo_needed": "A failed item needs a photo",
    "sv.form.uploading": "Uploading photo…",
    "sv.form.upload_failed": "Photo upload failed: {msg}",
    "sv.form.note": "Note (optional)",
    "sv.form.limit": "Limit {s} s",
    "sv.form.start": "Start timing",
    "sv.form.stop": "Stop",
    "sv.form.reset": "Time again",
    "sv.form.seconds": "{s} s",
    "sv.form.left": "{n} items not answered",
    "sv.form.submit": "Submit",
    "sv.form.submitting": "Submitting…",
    "sv.form.retry": "Submit again",
    "sv.form.offline":
      "The server could not take it now. Tap “Submit again” later; it will not be stored twice.",
    "sv.form.queued": "No signal: the inspection is saved on this phone and sent when there is signal",
    "sv.form.photo_saved": "No signal: the photo is saved on this phone and goes with the inspection",
    "sv.form.refused": "Refused by the server: {msg}",
    "sv.result.title": "Inspection result",
    "sv.result.score": "Score",
    "sv.result.no_score": "No score (every item N/A)",
    "sv.result.grade": "Grade",
    "sv.result.passed": "Pass",
    "sv.result.failed": "Below the pass mark",
    "sv.result.critical": "A red-line item failed",
    "sv.result.items": "Items",
    "sv.result.measured": "Took {s} s",
    "sv.result.rectifications": "{n} rectifications opened",
    "sv.result.coaching": "{n} coaching items made",
    "sv.result.coaching_one": "1 coaching item made",
    "sv.result.again": "Inspect the next one",
    "sv.result.superseded": "Superseded by a correction",
    "sv.rect.title": "Rectifications to verify",
    "sv.rect.open": "Rectifications still open",
    "sv.rect.none": "Nothing to verify",
    "sv.rect.none_open": "No rectification is open",
    "sv.rect.due": "Due {t}",
    "sv.rect.overdue": "Overdue",
    "sv.rect.done_note": "Reported: {n}",
    "sv.rect.verify": "Verified",
    "sv.rect.reopen": "Reopen",
    "sv.rect.note": "Note",
    "sv.rect.verified": "Verified",
    "sv.rect.reopened": "Reopened",
    "sv.anom.title": "Open anomalies",
    "sv.anom.resolved_title": "Resolved, to confirm",
    "sv.anom.none": "No anomalies",
    "sv.anom.resolve": "Mark resolved",
    "sv.anom.close": "Confirm and close",
    "sv.anom.reopen": "Reopen",
    "sv.anom.note": "Note",
    "sv.anom.saved": "Saved",
    "sv.status.open": "Open",
    "sv.status.done": "Done, to verify",
    "sv.status.verified": "Verified",
    "sv.status.reopened": "Reopened",
    "sv.cat.lighting": "Lighting",
    "sv.cat.water_leak": "Water leak",
    "sv.cat.fire_exit_blocked": "Fire exit blocked",
    "sv.cat.fire_equipment": "Fire equipment",
    "sv.cat.security": "Security",
    "sv.cat.cleanliness": "Cleanliness",
    "sv.cat.facility_damage": "Facility damage",
    "sv.cat.check_item_failed": "Check item failed",
    "sv.cat.other": "Other",
    "sv.loading": "Loading…",
    "sv.error": "Something went wrong: {msg}",
    "sv.back": "Back",
    "sv.offline_load": "No signal: this cannot be loaded now; try again when there is signal.",
    "sv.from_phone": "No signal: the list saved on this phone ({t})",
    "sv.not_on_phone": "No signal, and this list is not saved on this phone; open “Inspect” once with signal.",
    "sv.ready_offline": "Saved on this phone: inspections work without signal",
    "sv.site": "Site",
    "sv.search_on_phone": "No signal: searching the list saved on this phone",
    "sv.form.all_pass": "All the rest pass",
    "sv.form.all_pass_timed": "Time these items first: {items}",
    "sv.form.next": "{n} items not answered · go to the first",
    "sv.form.needs_photo": "“{item}” failed and needs a photo · go there",
    "sv.form.photo_first": "A failed item needs a photo as evidence: “{item}”",
    "sv.result.grade_floor": "Grade {code} ({floor} points or more)",
    "sv.result.pass_mark": "Pass mark {mark} points: {outcome}",
    "sv.photo.reused": "This photo looks reused",
    "sv.anom.place": "Place",
    "sv.anom.reporter": "Reported by {name}",
    "sv.anom.item": "Check item",
    "sv.queued.title": "Inspections saved on this phone",
    "sv.queued.waiting": "Waiting to send",
    "sv.queued.refused": "Refused by the server",
    "sv.queued.sent": "Sent · score {score}",
    "sv.queued.sent_no_score": "Sent · no score",
  },
};

const INSPECTORS = ["admin", "supervisor", "manager"];
const VERIFIERS = ["admin", "supervisor", "manager"];

export function menu(user) {
  if (!user || !INSPECTORS.includes(user.role)) return [];
  const entries = [{ route: "inspect", label: t("sv.menu.inspect") }];
  if (VERIFIERS.includes(user.role)) {
    entries.push({ route: "rectifications", label: t("sv.menu.rectifications") });
    entries.push({ route: "anomalies", label: t("sv.menu.anomalies") });
  }
  return entries;
}

// ---------------------------------------------------------------- small helpers

/** An element: h("button", {class: "x", onclick: f}, "text", child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function language(ctx) {
  return ctx.lang ? ctx.lang() : ctx.t("sv.lang");
}

/** Append children, leaving out the missing ones (null, undefined, false). */
export function put(parent, ...children) {
  parent.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** The text in the current language: the item's `x_en` in English, else `x`. */
export function wording(ctx, obj, field) {
  if (language(ctx) === "en" && obj[`${field}_en`]) return obj[`${field}_en`];
  return obj[field] || "";
}

export function errorText(ctx, err) {
  // No signal while loading: nothing was saved, so never the outbox's "saved on this phone".
  if (err && err.status === 0) return ctx.t("sv.offline_load");
  return ctx.t("sv.error", { msg: reason(err) });
}

/** A "← back" button to a route (an installed app has no system back button). */
export function backButton(ctx, label, route, ...params) {
  return h(
    "button",
    { type: "button", class: "sv-back", onclick: () => ctx.navigate(route, ...params) },
    `← ${label}`,
  );
}

// ---------------------------------------------------------------- lists kept on the phone

// What the supervisor needs to inspect without signal (sites, areas, staff, the checklists
// with every item and whom it applies to) is kept in localStorage per account, refreshed
// whenever the inspect screen opens with signal. Answers are never kept here: only lists.
const CACHE = "xj.sv.cache";
const REFRESH_MS = 10 * 60 * 1000;

function userKey(ctx) {
  const user = (ctx.session() || {}).user || {};
  return `${CACHE}.${user.id ?? "anon"}`;
}

function keep(ctx, name, data) {
  try {
    localStorage.setItem(`${userKey(ctx)}.${name}`, JSON.stringify({ at: Date.now(), data }));
  } catch {
    // A full storage only costs the offline copy.
  }
}

function kept(ctx, name) {
  try {
    const raw = localStorage.getItem(`${userKey(ctx)}.${name}`);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

class NotOnPhone extends Error {
  constructor() {
    super("not on this phone");
    this.status = 0;
    this.notOnPhone = true;
  }
}

/** A GET that falls back to the phone's copy without signal (status 0); `name` is the copy.
 * The answer carries `fromPhone` (when the copy was made) if it came from the phone. */
async function fetchKept(ctx, name, load) {
  try {
    const data = await load();
    keep(ctx, name, data);
    return data;
  } catch (err) {
    if (err && err.status === 0) {
      const copy = kept(ctx, name);
      if (copy) {
        const data = copy.data;
        Object.defineProperty(data, "fromPhone", { value: copy.at, enumerable: false });
        return data;
      }
      throw new NotOnPhone();
    }
    throw err;
  }
}

function offlineNote(ctx, data) {
  if (!data || !data.fromPhone) return null;
  return h(
    "p",
    { class: "sv-offline", role: "status" },
    ctx.t("sv.from_phone", { t: shortTime(localIso(new Date(data.fromPhone))) }),
  );
}

/** Which checklists and items apply to a subject (models/rules/applicability.py, the same). */
function appliesTo(appliesTo, traits) {
  for (const [key, value] of [
    ["jobs", traits.job],
    ["genders", traits.gender],
    ["area_types", traits.area_type],
  ]) {
    const allowed = (appliesTo && appliesTo[key]) || [];
    if (allowed.length && value !== null && value !== undefined && !allowed.includes(value)) {
      return false;
    }
  }
  return true;
}

function traitsOf(subject, who) {
  return subject === "staff" ? { job: who.job, gender: who.gender } : { area_type: who.area_type };
}

/** The checklists that apply to a subject, from the phone's copy of every checklist. */
function keptChecklists(ctx, subject, who) {
  const copy = kept(ctx, "checklists");
  if (!copy) throw new NotOnPhone();
  const traits = traitsOf(subject, who);
  return copy.data
    .filter((c) => c.subject === subject && appliesTo(c.applies_to, traits))
    .map((c) => {
      const sections = c.sections
        .map((sec) => ({
          ...sec,
          items: sec.items
            .filter((i) => appliesTo(i.applies_to, traits))
            .map((i) => ({ ...i, section: sec.code })),
        }))
        .filter((sec) => sec.items.length);
      const list = { ...c, sections, item_count: sections.reduce((n, sec) => n + sec.items.length, 0) };
      Object.defineProperty(list, "fromPhone", { value: copy.at, enumerable: false });
      return list;
    });
}

/** With signal, keep what an offline inspection needs; at most every REFRESH_MS. */
async function keepForOffline(ctx) {
  const last = kept(ctx, "ready");
  if (last && Date.now() - last.at < REFRESH_MS) return true;
  const [siteRows, areaRows, staffRows, lists] = await Promise.all([
    list(ctx, "/sites", { active: true }),
    list(ctx, "/areas", { active: true }),
    list(ctx, "/staff", { active: true }),
    ctx.api("GET", "/checklists"),
  ]);
  const full = await Promise.all(
    lists
      .filter((c) => c.subject === "staff" || c.subject === "area")
      .map((c) => ctx.api("GET", `/checklists/${encodeURIComponent(c.code)}`)),
  );
  keep(ctx, "sites", siteRows);
  keep(ctx, "areas", areaRows);
  keep(ctx, "staff", staffRows);
  keep(ctx, "checklists", full);
  keep(ctx, "ready", true);
  return true;
}

function siteNames(ctx) {
  const copy = kept(ctx, "sites");
  return Object.fromEntries(((copy && copy.data) || []).map((site) => [site.id, site.name]));
}

// ---------------------------------------------------------------- photos and their reuse flag

/** A photo thumbnail, with the server's warning when it looks reused (GET /photos/<id>). */
export function flaggedPhoto(ctx, id, reused) {
  const box = h("figure", { class: "sv-photo", "data-photo": id });
  box.append(authorisedImg(ctx, `/photos/${id}/thumbnail`));
  const flag = () =>
    box.append(h("figcaption", { class: "sv-reused", role: "note" }, `⚠ ${ctx.t("sv.photo.reused")}`));
  if (reused === true) flag();
  else if (reused === undefined) {
    ctx
      .api("GET", `/photos/${id}`)
      .then((photo) => {
        if (photo.reused) flag();
      })
      .catch(() => {});
  }
  return box;
}

// ---------------------------------------------------------------- inspections sent from here

// The inspections this phone queued without signal: once the outbox has sent one, the pick
// screen shows the server's score for it.
const QUEUED = "xj.sv.queued";

function queuedList(ctx) {
  try {
    return JSON.parse(localStorage.getItem(`${QUEUED}.${((ctx.session() || {}).user || {}).id}`)) || [];
  } catch {
    return [];
  }
}

function saveQueued(ctx, rows) {
  try {
    localStorage.setItem(
      `${QUEUED}.${((ctx.session() || {}).user || {}).id}`,
      JSON.stringify(rows.slice(0, 10)),
    );
  } catch {
    // Only the follow-up on the pick screen is lost.
  }
}

async function renderQueued(ctx, box) {
  const rows = queuedList(ctx).filter((r) => Date.now() - r.at < 3 * 24 * 3600 * 1000);
  if (!rows.length) {
    box.replaceChildren();
    return;
  }
  let pending = [];
  let refused = [];
  try {
    pending = (await ctx.outbox.pendingItems()).map((i) => i.payload && i.payload.id);
    refused = (await ctx.outbox.refusedItems()).map((i) => i.payload && i.payload.id);
  } catch {
    // No IndexedDB: ask the server about each.
  }
  const entries = await Promise.all(
    rows.map(async (row) => {
      let state = ctx.t("sv.queued.waiting");
      let cls = "sv-muted";
      let link = null;
      if (refused.includes(row.id)) {
        state = ctx.t("sv.queued.refused");
        cls = "sv-error";
      } else if (!pending.includes(row.id)) {
        try {
          const stored = await ctx.api("GET", `/inspections/${row.id}`);
          state =
            stored.score === null || stored.score === undefined
              ? ctx.t("sv.queued.sent_no_score")
              : ctx.t("sv.queued.sent", { score: stored.score });
          cls = stored.passed === false ? "sv-error" : "sv-ok";
          link = () => ctx.navigate("inspection", row.id);
        } catch {
          // Not there yet (or no signal): still waiting.
        }
      }
      const text = [
        h("strong", {}, row.who),
        ` · ${language(ctx) === "en" ? row.title_en || row.title : row.title}`,
        h("br"),
        h("span", { class: "sv-muted" }, shortTime(row.inspected_at)),
        " ",
        h("span", { class: `sv-state ${cls}` }, state),
      ];
      return h(
        "li",
        { "data-queued": row.id },
        link ? h("button", { type: "button", class: "sv-row", onclick: link }, text) : h("div", { class: "sv-row" }, text),
      );
    }),
  );
  box.replaceChildren(h("h2", {}, ctx.t("sv.queued.title")), h("ul", { class: "sv-list" }, entries));
}

/** A refusal in the app's language (ApiError.display(): by its stable code, see errors.js). */
function reason(err) {
  if (err && typeof err.display === "function") return err.display();
  return (err && (err.message || err.error)) || String(err);
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The phone's time as ISO 8601 with its offset, e.g. 2026-11-03T09:15:00+08:00. */
function localIso(date = new Date()) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

function shortTime(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "";
}

/** No signal (ApiError status 0) or a server fault: worth sending the same body again. */
function isOffline(err) {
  return !err || !err.status || err.status >= 500 || err.status === 408 || err.status === 429;
}

/** Fetch an authenticated binary (photo thumbnail, SVG chart) as an object URL for an <img>. */
export async function authorisedUrl(ctx, path) {
  const token = (ctx.session() || {}).token;
  const response = await fetch(path.startsWith("/api") ? path : `/api${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`${response.status}`);
  return URL.createObjectURL(await response.blob());
}

export function authorisedImg(ctx, path, attrs = {}) {
  const img = h("img", { alt: "", ...attrs });
  authorisedUrl(ctx, path)
    .then((url) => {
      img.src = url;
    })
    .catch(() => img.remove());
  return img;
}

function addStyle() {
  if (document.getElementById("sv-style")) return;
  document.head.append(h("style", { id: "sv-style" }, STYLE));
}

function screen(view, title) {
  addStyle();
  view.replaceChildren();
  const wrap = h("section", { class: "sv" }, h("h1", { class: "sv-title" }, title));
  view.append(wrap);
  return wrap;
}

async function list(ctx, path, query = {}) {
  return ctx.api("GET", path, { query: { page_size: 100, ...query } });
}

// ---------------------------------------------------------------- pick a person or an area

async function renderPick(view, _params, ctx) {
  const wrap = screen(view, ctx.t("sv.pick.title"));
  wrap.prepend(backButton(ctx, ctx.t("sv.back"), ""));
  const results = h("ul", { class: "sv-list", id: "sv-staff-results" });
  const input = h("input", {
    type: "search",
    id: "sv-staff-search",
    class: "sv-input",
    placeholder: ctx.t("sv.pick.search"),
    "aria-label": ctx.t("sv.pick.search"),
    autocomplete: "off",
    enterkeyhint: "search",
  });
  const ready = h("p", { class: "sv-muted small", id: "sv-offline-ready", role: "status" });
  const queued = h("div", { id: "sv-queued" });
  let names = siteNames(ctx);
  let timer = null;
  let asked = 0;
  const personButton = (p) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          class: "sv-row",
          "data-staff-id": p.id,
          onclick: () => ctx.navigate("checklists", "staff", p.id),
        },
        h("strong", {}, p.name),
        h("span", { class: "sv-muted" }, ` ${p.employee_no}`),
        names[p.site_id] ? h("span", { class: "sv-site" }, names[p.site_id]) : null,
      ),
    );
  const search = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (!q) {
      results.replaceChildren();
      return;
    }
    results.replaceChildren(h("li", { class: "sv-muted" }, ctx.t("sv.pick.searching")));
    let people;
    let fromPhone = false;
    try {
      people = await list(ctx, "/staff", { q, active: true });
    } catch (err) {
      const copy = err && err.status === 0 ? kept(ctx, "staff") : null;
      if (!copy) {
        if (mine === asked) results.replaceChildren(h("li", { class: "sv-error" }, errorText(ctx, err)));
        return;
      }
      // No signal: the same search over the phone's copy of the staff list.
      const needle = q.toLowerCase();
      people = copy.data.filter(
        (p) => p.name.toLowerCase().includes(needle) || String(p.employee_no).toLowerCase().includes(needle),
      );
      fromPhone = true;
    }
    if (mine !== asked) return;
    results.replaceChildren(
      ...(fromPhone ? [h("li", { class: "sv-offline" }, ctx.t("sv.search_on_phone"))] : []),
      ...(people.length
        ? people.map(personButton)
        : [h("li", { class: "sv-muted" }, ctx.t("sv.pick.none"))]),
    );
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  const areas = h("ul", { class: "sv-list", id: "sv-areas" }, h("li", {}, ctx.t("sv.loading")));
  const areasNote = h("div", {});
  wrap.append(
    ready,
    queued,
    h("h2", {}, ctx.t("sv.pick.staff")),
    input,
    results,
    h("h2", {}, ctx.t("sv.pick.areas")),
    areasNote,
    areas,
  );
  input.focus();
  renderQueued(ctx, queued);
  const stopListening = ctx.outbox.onChange(() => {
    if (!queued.isConnected) return stopListening();
    renderQueued(ctx, queued);
  });
  // With signal: keep what an offline inspection needs (in the background).
  keepForOffline(ctx)
    .then(() => {
      names = siteNames(ctx);
      ready.textContent = ctx.t("sv.ready_offline");
      ready.dataset.ready = "true";
    })
    .catch(() => {});
  try {
    const [rows, sites] = await Promise.all([
      fetchKept(ctx, "areas", () => list(ctx, "/areas", { active: true })),
      fetchKept(ctx, "sites", () => list(ctx, "/sites", { active: true })).catch(() => []),
    ]);
    names = { ...names, ...Object.fromEntries(sites.map((site) => [site.id, site.name])) };
    put(areasNote, offlineNote(ctx, rows));
    // Same-named places at several sites: grouped by site, the site named on each.
    const sorted = [...rows].sort(
      (a, b) => String(names[a.site_id] || "").localeCompare(String(names[b.site_id] || "")) || a.id - b.id,
    );
    areas.replaceChildren(
      ...(sorted.length
        ? sorted.map((a) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  class: "sv-row",
                  "data-area-id": a.id,
                  onclick: () => ctx.navigate("checklists", "area", a.id),
                },
                h("strong", {}, a.name),
                names[a.site_id] ? h("span", { class: "sv-site" }, names[a.site_id]) : null,
              ),
            ),
          )
        : [h("li", { class: "sv-muted" }, ctx.t("sv.pick.no_areas"))]),
    );
  } catch (err) {
    areas.replaceChildren(
      h("li", { class: "sv-error" }, err && err.notOnPhone ? ctx.t("sv.not_on_phone") : errorText(ctx, err)),
    );
  }
}

// ---------------------------------------------------------------- checklists that apply

const SUBJECT_PARAM = { staff: "staff_id", area: "area_id" };

async function subjectOf(ctx, subject, id) {
  try {
    return await ctx.api("GET", subject === "staff" ? `/staff/${id}` : `/areas/${id}`);
  } catch (err) {
    if (!err || err.status !== 0) throw err;
    // No signal: the person or area from the phone's copy of the lists.
    const copy = kept(ctx, subject === "staff" ? "staff" : "areas");
    const found = copy && copy.data.find((row) => String(row.id) === String(id));
    if (!found) throw new NotOnPhone();
    return found;
  }
}

/** The checklists that apply to a subject: the server's answer, or without signal the
 * phone's copy filtered the same way. */
async function applicableChecklists(ctx, subject, id, who) {
  try {
    return await ctx.api("GET", "/checklists", { query: { [SUBJECT_PARAM[subject]]: id } });
  } catch (err) {
    if (!err || err.status !== 0) throw err;
    return keptChecklists(ctx, subject, who);
  }
}

function subjectLine(ctx, who) {
  const names = siteNames(ctx);
  return h(
    "p",
    { class: "sv-subject" },
    who.name,
    who.employee_no ? ` ${who.employee_no}` : "",
    names[who.site_id] ? h("span", { class: "sv-site" }, names[who.site_id]) : null,
  );
}

async function renderChecklists(view, [subject, id], ctx) {
  const wrap = screen(view, ctx.t("sv.lists.title"));
  wrap.prepend(backButton(ctx, ctx.t("sv.back"), "inspect"));
  const body = h("div", {}, ctx.t("sv.loading"));
  wrap.append(body);
  try {
    const who = await subjectOf(ctx, subject, id);
    const lists = await applicableChecklists(ctx, subject, id, who);
    body.replaceChildren(
      subjectLine(ctx, who),
      lists.length && lists[0].fromPhone ? offlineNote(ctx, lists[0]) : "",
      lists.length
        ? h(
            "ul",
            { class: "sv-list", id: "sv-checklists" },
            lists.map((c) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    class: "sv-row",
                    "data-checklist": c.code,
                    onclick: () => ctx.navigate("inspect-form", subject, id, c.code),
                  },
                  h("strong", {}, wording(ctx, c, "title")),
                  h("span", { class: "sv-muted" }, ` · ${ctx.t("sv.lists.items", { n: c.item_count })}`),
                ),
              ),
            ),
          )
        : h("p", { class: "sv-muted" }, ctx.t("sv.lists.none")),
    );
  } catch (err) {
    body.replaceChildren(
      h("p", { class: "sv-error" }, err && err.notOnPhone ? ctx.t("sv.not_on_phone") : errorText(ctx, err)),
    );
  }
}

// ---------------------------------------------------------------- the inspection form

// One draft per subject and checklist, kept while the app is open: a language switch or a
// trip back does not lose the answers, and a retry reuses the same inspection id and body.
const drafts = new Map();

function draftFor(subject, id, code) {
  const key = `${subject}/${id}/${code}`;
  if (!drafts.has(key)) {
    drafts.set(key, { key, id: uuid(), answers: {}, body: null, sending: false });
  }
  return drafts.get(key);
}

function answerOf(draft, code) {
  if (!draft.answers[code]) draft.answers[code] = { result: null, photo_ids: [], note: "" };
  return draft.answers[code];
}

async function loadChecklist(ctx, subject, id, code, who) {
  try {
    return await ctx.api("GET", `/checklists/${encodeURIComponent(code)}`, {
      query: { [SUBJECT_PARAM[subject]]: id },
    });
  } catch (err) {
    if (!err || err.status !== 0) throw err;
    const found = keptChecklists(ctx, subject, who).find((c) => c.code === code);
    if (!found) throw new NotOnPhone();
    return found;
  }
}

/** What still stops the submit: unanswered items, then failed items without their photo. */
function blockers(draft, items) {
  const open = items.filter((i) => !answerOf(draft, i.code).result);
  const noPhoto = items.filter((i) => {
    const a = answerOf(draft, i.code);
    return (
      a.result === "fail" &&
      i.photo_on_fail &&
      !a.photo_ids.length &&
      !(a.pending || []).length &&
      !a.uploading
    );
  });
  return { open, noPhoto };
}

function goTo(wrap, item) {
  const card = wrap.querySelector(`article[data-item="${CSS.escape(item.code)}"]`);
  if (!card) return;
  card.scrollIntoView({ block: "center" });
  card.classList.add("sv-attention");
  setTimeout(() => card.classList.remove("sv-attention"), 2000);
  const target = card.querySelector(".sv-extra:not([hidden]) .sv-photo-button:not([hidden])") ||
    card.querySelector(".sv-choice");
  if (target) target.focus({ preventScroll: true });
}

async function renderForm(view, [subject, id, code], ctx) {
  const draft = draftFor(subject, id, code);
  const wrap = screen(view, ctx.t("sv.loading"));
  wrap.prepend(backButton(ctx, ctx.t("sv.back"), "checklists", subject, id));
  let who;
  let checklist;
  try {
    who = await subjectOf(ctx, subject, id);
    checklist = await loadChecklist(ctx, subject, id, code, who);
  } catch (err) {
    wrap.append(
      h("p", { class: "sv-error" }, err && err.notOnPhone ? ctx.t("sv.not_on_phone") : errorText(ctx, err)),
    );
    return;
  }
  if (draft.version && draft.version !== checklist.version) {
    // The standard changed while the draft waited: start the draft again on the new version.
    drafts.delete(draft.key);
    return renderForm(view, [subject, id, code], ctx);
  }
  draft.version = checklist.version;
  const items = checklist.sections.flatMap((s) => s.items);
  wrap.querySelector(".sv-title").textContent = wording(ctx, checklist, "title");
  wrap.append(subjectLine(ctx, who));
  put(wrap, checklist.fromPhone ? offlineNote(ctx, checklist) : null);

  const status = h("p", { class: "sv-status", id: "sv-status", role: "status" });
  const submit = h("button", { class: "sv-primary", id: "sv-submit", type: "button" });
  // The count of what is missing, as a button leading to the first such item.
  const next = h("button", { class: "sv-next", id: "sv-next", type: "button" });
  const left = h("span", { id: "sv-left" });
  next.append(left);
  let firstBlocker = null;
  next.addEventListener("click", () => {
    if (firstBlocker) goTo(wrap, firstBlocker);
  });

  const refresh = () => {
    const { open, noPhoto } = blockers(draft, items);
    firstBlocker = open[0] || noPhoto[0] || null;
    if (open.length) {
      left.textContent = ctx.t("sv.form.next", { n: open.length });
    } else if (noPhoto.length) {
      left.textContent = ctx.t("sv.form.needs_photo", { item: wording(ctx, noPhoto[0], "requirement") });
    } else {
      left.textContent = "";
    }
    next.hidden = !firstBlocker;
    next.classList.toggle("sv-next-photo", !open.length && noPhoto.length > 0);
    allPass.hidden = !!draft.body || open.length === 0;
    const uploading = Object.values(draft.answers).some((a) => a.uploading);
    submit.disabled = draft.sending || open.length > 0 || noPhoto.length > 0 || uploading;
    submit.textContent = draft.sending
      ? ctx.t("sv.form.submitting")
      : draft.body
        ? ctx.t("sv.form.retry")
        : ctx.t("sv.form.submit");
  };

  // "All the rest pass": every unanswered item passes, except a timed one not yet timed (the
  // server judges its seconds, so they must be measured first).
  const allPass = h("button", { type: "button", class: "sv-secondary", id: "sv-all-pass" }, ctx.t("sv.form.all_pass"));
  allPass.addEventListener("click", () => {
    if (draft.body) return;
    const untimed = [];
    for (const item of items) {
      const a = answerOf(draft, item.code);
      if (a.result) continue;
      if (item.limit_seconds && a.measured_seconds === undefined) {
        untimed.push(item);
        continue;
      }
      a.result = "pass";
    }
    for (const card of wrap.querySelectorAll("article[data-item]")) card.repaint && card.repaint();
    refresh();
    if (untimed.length) {
      status.textContent = ctx.t("sv.form.all_pass_timed", {
        items: untimed.map((i) => `「${wording(ctx, i, "requirement")}」`).join("、"),
      });
      status.className = "sv-status sv-error";
      goTo(wrap, untimed[0]);
    }
  });
  wrap.append(allPass);

  for (const section of checklist.sections) {
    wrap.append(h("h2", { class: "sv-section" }, wording(ctx, section, "title")));
    for (const item of section.items) {
      wrap.append(itemCard(ctx, draft, item, who, subject, refresh));
    }
  }

  submit.addEventListener("click", () => send());
  wrap.append(h("div", { class: "sv-submitbar", id: "sv-submitbar" }, next, status, submit));
  refresh();

  async function send() {
    if (draft.sending) return; // a double tap while the first is under way
    const { open, noPhoto } = blockers(draft, items);
    if (open.length || noPhoto.length) {
      // Never sent: the phone names what is missing and leads to it.
      if (noPhoto.length) {
        status.textContent = ctx.t("sv.form.photo_first", { item: wording(ctx, noPhoto[0], "requirement") });
        status.className = "sv-status sv-error";
      }
      goTo(wrap, open[0] || noPhoto[0]);
      return;
    }
    draft.sending = true;
    status.textContent = "";
    status.className = "sv-status";
    if (!draft.body) {
      // Frozen at the first attempt: a retry resends exactly this, so the server (idempotent by
      // id) answers with the stored result instead of refusing "other answers".
      draft.body = {
        id: draft.id,
        checklist: checklist.code,
        checklist_version: checklist.version,
        [SUBJECT_PARAM[subject]]: Number(id),
        inspected_at: localIso(),
        device_id: ctx.deviceId(),
        items: items.map((i) => {
          const a = answerOf(draft, i.code);
          const answer = { code: i.code, result: a.result };
          if (a.measured_seconds !== undefined && a.result !== "na") {
            answer.measured_seconds = a.measured_seconds;
          }
          if (a.result === "fail" && a.photo_ids.length) answer.photo_ids = [...a.photo_ids];
          if (a.note) answer.note = a.note;
          return answer;
        }),
      };
    }
    refresh();
    // Photos taken without signal go first, through the outbox, with the inspection.
    const waiting = items.flatMap((item, index) => {
      const a = answerOf(draft, item.code);
      return a.result === "fail" && a.pending
        ? a.pending.map((blob) => ({
            blob,
            site_id: who.site_id,
            area_id: subject === "area" ? who.id : undefined,
            field: `items.${index}.photo_ids`,
          }))
        : [];
    });
    if (waiting.length) return queue(waiting);
    try {
      const result = await ctx.api("POST", "/inspections", { json: draft.body });
      drafts.delete(draft.key);
      ctx.navigate("inspection", result.id);
    } catch (err) {
      if (err && err.status === 0) return queue([]);
      draft.sending = false;
      if (isOffline(err)) {
        status.textContent = ctx.t("sv.form.offline");
      } else {
        // Refused (422 etc.): nothing was stored, so the answers may be fixed and sent again
        // under the same id.
        draft.body = null;
        status.textContent = ctx.t("sv.form.refused", { msg: reason(err) });
      }
      status.className = "sv-status sv-error";
      if (submit.isConnected) refresh();
    }
  }

  // Kept on the phone and sent by the outbox when there is signal (same id: stored once).
  async function queue(blobs) {
    try {
      await ctx.outbox.enqueue("inspection", draft.body, blobs);
    } catch (err) {
      draft.sending = false;
      status.textContent = errorText(ctx, err);
      status.className = "sv-status sv-error";
      refresh();
      return;
    }
    // Followed on the pick screen until the server's score is there.
    saveQueued(ctx, [
      {
        id: draft.body.id,
        who: `${who.name}${who.employee_no ? ` ${who.employee_no}` : ""}`,
        title: checklist.title,
        title_en: checklist.title_en,
        inspected_at: draft.body.inspected_at,
        at: Date.now(),
      },
      ...queuedList(ctx).filter((r) => r.id !== draft.body.id),
    ]);
    drafts.delete(draft.key);
    ctx.toast(ctx.t("sv.form.queued"));
    ctx.navigate("inspect");
  }
}

function itemCard(ctx, draft, item, who, subject, refresh) {
  const answer = answerOf(draft, item.code);
  const card = h("article", {
    class: `sv-item${item.critical ? " sv-critical" : ""}`,
    "data-item": item.code,
  });
  const buttons = {};
  const extra = h("div", { class: "sv-extra" });

  const choose = (result) => {
    if (draft.body) return; // sent already: the answers are frozen until the server replies
    answer.result = result;
    paint();
    refresh();
  };
  for (const result of ["pass", "fail", "na"]) {
    buttons[result] = h(
      "button",
      {
        type: "button",
        class: `sv-choice sv-${result}`,
        "data-result": result,
        onclick: () => choose(result),
      },
      ctx.t(`sv.form.${result}`),
    );
  }

  const photos = h("div", { class: "sv-photos" });
  const photoStatus = h("p", { class: "sv-muted sv-photo-status" });
  const photoButton = h("button", { type: "button", class: "sv-secondary sv-photo-button" });
  photoButton.addEventListener("click", () => takePhoto());
  const note = h("textarea", {
    class: "sv-input sv-note",
    rows: 2,
    maxlength: 500,
    placeholder: ctx.t("sv.form.note"),
  });
  note.value = answer.note;
  note.addEventListener("input", () => {
    answer.note = note.value;
  });

  for (const shown of answer.previews || []) photos.append(h("img", { src: shown, alt: "" }));

  function paint() {
    for (const [result, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", String(answer.result === result));
    }
    const failed = answer.result === "fail";
    extra.hidden = !failed;
    const taken = answer.photo_ids.length + (answer.pending || []).length;
    photoButton.textContent = taken ? ctx.t("sv.form.photo_more") : ctx.t("sv.form.photo");
    photoButton.hidden = taken >= 10;
    if (!answer.uploading && !answer.uploadError && !(answer.pending || []).length) {
      photoStatus.textContent =
        failed && item.photo_on_fail && !taken ? ctx.t("sv.form.photo_needed") : "";
    }
  }

  function takePhoto() {
    const input = ctx.photoInput();
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const photoId = uuid();
      const form = new FormData();
      form.append("file", file, file.name || "photo.jpg");
      form.append("id", photoId);
      form.append("site_id", String(who.site_id));
      if (subject === "area") form.append("area_id", String(who.id));
      form.append("device_id", ctx.deviceId());
      answer.uploading = true;
      answer.uploadError = null;
      photoStatus.textContent = ctx.t("sv.form.uploading");
      refresh();
      const showPreview = () => {
        const preview = URL.createObjectURL(file);
        answer.previews = [...(answer.previews || []), preview];
        photos.append(h("img", { src: preview, alt: "" }));
      };
      try {
        // The photo's id is made here, so a retried upload is stored once.
        const photo = await ctx.api("POST", "/photos", { form });
        answer.photo_ids.push(photo.id);
        showPreview();
        photoStatus.textContent = "";
      } catch (err) {
        if (!err.status) {
          // No signal: the photo waits on the phone and goes with the inspection's outbox item.
          answer.pending = [...(answer.pending || []), file];
          showPreview();
          photoStatus.textContent = ctx.t("sv.form.photo_saved");
        } else {
          answer.uploadError = err;
          photoStatus.textContent = ctx.t("sv.form.upload_failed", { msg: reason(err) });
        }
      } finally {
        answer.uploading = false;
        paint();
        refresh();
      }
    });
    input.click();
  }

  put(card,
    h(
      "p",
      { class: "sv-req" },
      item.critical ? h("span", { class: "sv-badge" }, ctx.t("sv.form.critical")) : null,
      h("b", {}, `${ctx.t("sv.form.requirement")}：`),
      wording(ctx, item, "requirement"),
    ),
    h("p", { class: "sv-fault" }, h("b", {}, `${ctx.t("sv.form.fault")}：`), wording(ctx, item, "fault")),
    wording(ctx, item, "impression")
      ? h(
          "p",
          { class: "sv-impression" },
          h("b", {}, `${ctx.t("sv.form.impression")}：`),
          wording(ctx, item, "impression"),
        )
      : null,
    item.limit_seconds ? stopwatch(ctx, item, answer, choose) : null,
    h("div", { class: "sv-choices" }, Object.values(buttons)),
    extra,
  );
  extra.append(photoStatus, photos, photoButton, note);
  card.repaint = paint;
  paint();
  return card;
}

/** Start/stop timing of a timed item (the guard's 25-second ID registration). The measured
 * seconds are sent; the server decides pass or fail against the limit. */
function stopwatch(ctx, item, answer, choose) {
  const shown = h("output", { class: "sv-clock" });
  const button = h("button", { type: "button", class: "sv-secondary sv-stopwatch" });
  const show = (seconds) => {
    shown.textContent = ctx.t("sv.form.seconds", { s: seconds.toFixed(1) });
  };
  let tick = null;
  const paint = () => {
    if (answer.timerStart) {
      button.textContent = ctx.t("sv.form.stop");
    } else {
      button.textContent =
        answer.measured_seconds === undefined ? ctx.t("sv.form.start") : ctx.t("sv.form.reset");
    }
  };
  const run = () => {
    clearInterval(tick);
    tick = setInterval(() => {
      if (!shown.isConnected || !answer.timerStart) return clearInterval(tick);
      show((performance.now() - answer.timerStart) / 1000);
    }, 100);
  };
  button.addEventListener("click", () => {
    if (answer.timerStart) {
      const seconds = Math.round((performance.now() - answer.timerStart) / 100) / 10;
      answer.timerStart = null;
      clearInterval(tick);
      answer.measured_seconds = seconds;
      show(seconds);
      // A suggestion only: the server judges the time against the limit whatever is ticked.
      choose(seconds <= item.limit_seconds ? "pass" : "fail");
    } else {
      answer.timerStart = performance.now();
      delete answer.measured_seconds;
      run();
    }
    paint();
  });
  if (answer.timerStart) run();
  show(answer.measured_seconds ?? 0);
  paint();
  return h(
    "div",
    { class: "sv-timer" },
    h("span", { class: "sv-muted" }, ctx.t("sv.form.limit", { s: item.limit_seconds })),
    shown,
    button,
  );
}

// ---------------------------------------------------------------- the server's result

export async function renderInspection(view, [id], ctx) {
  const wrap = screen(view, ctx.t("sv.result.title"));
  let inspection;
  try {
    inspection = await ctx.api("GET", `/inspections/${id}`);
  } catch (err) {
    wrap.append(h("p", { class: "sv-error" }, errorText(ctx, err)));
    return;
  }
  const grade = inspection.grade;
  const subject = inspection.staff_id ? "staff" : "area";
  const [who] = await Promise.all([
    subjectOf(ctx, subject, inspection.staff_id || inspection.area_id).catch(() => null),
    // The site's name beside the person or area (the same lobby exists at several sites).
    siteNames(ctx)[inspection.site_id]
      ? null
      : fetchKept(ctx, "sites", () => list(ctx, "/sites")).catch(() => null),
  ]);
  put(wrap,
    who ? subjectLine(ctx, who) : null,
    h("p", {}, wording(ctx, inspection, "checklist_title"), ` · ${shortTime(inspection.inspected_at)}`),
    h(
      "div",
      {
        class: `sv-score ${inspection.passed === false ? "sv-score-fail" : "sv-score-pass"}`,
        id: "sv-result",
      },
      inspection.score === null || inspection.score === undefined
        ? h("p", { id: "sv-score", "data-score": "" }, ctx.t("sv.result.no_score"))
        : [
            h("span", { class: "sv-muted" }, ctx.t("sv.result.score")),
            h("strong", { id: "sv-score", "data-score": inspection.score }, inspection.score),
          ],
      // The grade by its letter and floor, the outcome against the pass mark: a grade named
      // 合格 beside 未达标 read as a contradiction.
      grade
        ? h(
            "p",
            { id: "sv-grade", "data-grade": grade.code },
            grade.floor === null || grade.floor === undefined
              ? `${ctx.t("sv.result.grade")} ${grade.code}`
              : ctx.t("sv.result.grade_floor", { code: grade.code, floor: grade.floor }),
          )
        : null,
      inspection.passed === null || inspection.passed === undefined
        ? null
        : h(
            "p",
            { id: "sv-passed", "data-passed": String(inspection.passed) },
            inspection.pass_mark === undefined
              ? ctx.t(inspection.passed ? "sv.result.passed" : "sv.result.failed")
              : ctx.t("sv.result.pass_mark", {
                  mark: inspection.pass_mark,
                  outcome: ctx.t(inspection.passed ? "sv.result.passed" : "sv.result.failed"),
                }),
          ),
      inspection.critical_failed ? h("p", { class: "sv-error" }, ctx.t("sv.result.critical")) : null,
      inspection.status === "superseded" ? h("p", {}, ctx.t("sv.result.superseded")) : null,
    ),
    inspection.rectification_ids.length
      ? h("p", {}, ctx.t("sv.result.rectifications", { n: inspection.rectification_ids.length }))
      : null,
    inspection.coaching_ids.length
      ? h("p", {}, inspection.coaching_ids.length === 1
          ? ctx.t("sv.result.coaching_one")
          : ctx.t("sv.result.coaching", { n: inspection.coaching_ids.length }))
      : null,
    h("h2", {}, ctx.t("sv.result.items")),
    h(
      "ul",
      { class: "sv-list sv-results" },
      inspection.items.map((i) =>
        h(
          "li",
          { class: `sv-result-${i.result}`, "data-item": i.code },
          h("span", { class: "sv-result-mark" }, ctx.t(`sv.form.${i.result}`)),
          " ",
          wording(ctx, i, i.result === "fail" ? "fault" : "requirement"),
          i.measured_seconds !== null && i.measured_seconds !== undefined
            ? h("span", { class: "sv-muted" }, ` · ${ctx.t("sv.result.measured", { s: i.measured_seconds })}`)
            : null,
          i.photos && i.photos.length
            ? h(
                "div",
                { class: "sv-photos" },
                i.photos.map((p) => flaggedPhoto(ctx, p.id, Boolean(p.reused))),
              )
            : null,
        ),
      ),
    ),
  );
  const session = ctx.session() || {};
  const user = session.user || {};
  if (INSPECTORS.includes(user.role)) {
    wrap.append(
      h(
        "button",
        { class: "sv-primary", type: "button", onclick: () => ctx.navigate("inspect") },
        ctx.t("sv.result.again"),
      ),
    );
  }
}

// ---------------------------------------------------------------- rectifications to verify

async function renderRectifications(view, _params, ctx) {
  const wrap = screen(view, ctx.t("sv.rect.title"));
  const done = h("div", { id: "sv-rect-done" }, ctx.t("sv.loading"));
  const open = h("div", { id: "sv-rect-open" });
  wrap.append(done, h("h2", {}, ctx.t("sv.rect.open")), open);
  try {
    const [toVerify, stillOpen, reopened, areas, sites] = await Promise.all([
      list(ctx, "/rectifications", { status: "done" }),
      list(ctx, "/rectifications", { status: "open" }),
      list(ctx, "/rectifications", { status: "reopened" }),
      list(ctx, "/areas"),
      list(ctx, "/sites"),
    ]);
    const siteOf = Object.fromEntries(sites.map((site) => [site.id, site.name]));
    // "site · area": the same lobby exists at several sites.
    const areaNames = Object.fromEntries(
      areas.map((a) => [a.id, siteOf[a.site_id] ? `${siteOf[a.site_id]} · ${a.name}` : a.name]),
    );
    done.replaceChildren(
      ...(toVerify.length
        ? toVerify.map((r) => rectificationCard(ctx, r, areaNames, true))
        : [h("p", { class: "sv-muted" }, ctx.t("sv.rect.none"))]),
    );
    const pending = [...reopened, ...stillOpen];
    open.replaceChildren(
      ...(pending.length
        ? pending.map((r) => rectificationCard(ctx, r, areaNames, false))
        : [h("p", { class: "sv-muted" }, ctx.t("sv.rect.none_open"))]),
    );
  } catch (err) {
    done.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
  }
}

function rectificationCard(ctx, r, areaNames, verifiable) {
  const card = h(
    "article",
    { class: "sv-item", "data-rectification": r.id },
    h(
      "p",
      {},
      h("strong", { class: "sv-place" }, areaNames[r.area_id] || ""),
      ` · ${ctx.t(`sv.status.${r.status}`)}`,
    ),
    h("p", { class: "sv-fault" }, h("b", {}, `${ctx.t("sv.form.fault")}：`), wording(ctx, r, "fault")),
    h("p", { class: "sv-req" }, h("b", {}, `${ctx.t("sv.form.requirement")}：`), wording(ctx, r, "requirement")),
    h(
      "p",
      { class: r.overdue ? "sv-error" : "sv-muted" },
      ctx.t("sv.rect.due", { t: shortTime(r.due_at) }),
      r.overdue ? ` · ${ctx.t("sv.rect.overdue")}` : "",
    ),
    r.done_note ? h("p", {}, ctx.t("sv.rect.done_note", { n: r.done_note })) : null,
    r.done_photo_ids.length
      ? h(
          "div",
          { class: "sv-photos" },
          r.done_photo_ids.map((p) => flaggedPhoto(ctx, p)),
        )
      : null,
  );
  if (!verifiable) return card;
  const note = h("textarea", {
    class: "sv-input sv-note",
    rows: 2,
    maxlength: 500,
    placeholder: ctx.t("sv.rect.note"),
  });
  const outcome = h("p", { class: "sv-status", role: "status" });
  const buttons = ["verified", "reopened"].map((value) =>
    h(
      "button",
      {
        type: "button",
        class: value === "verified" ? "sv-primary" : "sv-secondary",
        "data-outcome": value,
        onclick: async () => {
          buttons.forEach((b) => {
            b.disabled = true;
          });
          try {
            await ctx.api("POST", `/rectifications/${r.id}/verify`, {
              json: { outcome: value, note: note.value },
            });
            outcome.textContent = ctx.t(`sv.rect.${value}`);
            note.disabled = true;
          } catch (err) {
            outcome.textContent = errorText(ctx, err);
            buttons.forEach((b) => {
              b.disabled = false;
            });
          }
        },
      },
      ctx.t(value === "verified" ? "sv.rect.verify" : "sv.rect.reopen"),
    ),
  );
  card.append(note, h("div", { class: "sv-choices" }, buttons), outcome);
  return card;
}

// ---------------------------------------------------------------- anomalies to follow up

async function renderAnomalies(view, _params, ctx) {
  const wrap = screen(view, ctx.t("sv.anom.title"));
  const open = h("div", { id: "sv-anom-open" }, ctx.t("sv.loading"));
  const resolved = h("div", { id: "sv-anom-resolved" });
  wrap.append(open, h("h2", {}, ctx.t("sv.anom.resolved_title")), resolved);
  try {
    const [openRows, resolvedRows] = await Promise.all([
      list(ctx, "/anomalies", { status: "open" }),
      list(ctx, "/anomalies", { status: "resolved" }),
    ]);
    const fill = (el, rows) =>
      el.replaceChildren(
        ...(rows.length
          ? rows.map((a) => anomalyCard(ctx, a))
          : [h("p", { class: "sv-muted" }, ctx.t("sv.anom.none"))]),
      );
    fill(open, openRows);
    fill(resolved, resolvedRows);
  } catch (err) {
    open.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
  }
}

function anomalyCard(ctx, a) {
  const note = h("textarea", {
    class: "sv-input sv-note",
    rows: 2,
    maxlength: 1000,
    placeholder: ctx.t("sv.anom.note"),
  });
  note.value = a.resolution_note || "";
  const outcome = h("p", { class: "sv-status", role: "status" });
  const actions =
    a.status === "open"
      ? [["resolved", "sv.anom.resolve"]]
      : [
          ["closed", "sv.anom.close"],
          ["open", "sv.anom.reopen"],
        ];
  const buttons = actions.map(([status, label]) =>
    h(
      "button",
      {
        type: "button",
        class: status === "open" ? "sv-secondary" : "sv-primary",
        "data-status": status,
        onclick: async () => {
          buttons.forEach((b) => {
            b.disabled = true;
          });
          try {
            await ctx.api("PATCH", `/anomalies/${a.id}`, {
              json: { status, resolution_note: note.value },
            });
            outcome.textContent = ctx.t("sv.anom.saved");
          } catch (err) {
            outcome.textContent = errorText(ctx, err);
            buttons.forEach((b) => {
              b.disabled = false;
            });
          }
        },
      },
      ctx.t(label),
    ),
  );
  return h(
    "article",
    { class: "sv-item", "data-anomaly": a.id },
    h("p", {}, h("strong", {}, ctx.t(`sv.cat.${a.category}`)), ` · ${shortTime(a.reported_at)}`),
    h(
      "p",
      { class: "sv-place" },
      [a.site_name, a.area_name, a.checkpoint_name].filter(Boolean).join(" · "),
    ),
    a.item
      ? h(
          "p",
          { class: "sv-fault" },
          h("b", {}, `${ctx.t("sv.form.fault")}：`),
          wording(ctx, a.item, "fault") || wording(ctx, a.item, "requirement"),
        )
      : null,
    a.note ? h("p", {}, a.note) : null,
    a.reported_by_name
      ? h("p", { class: "sv-muted" }, ctx.t("sv.anom.reporter", { name: a.reported_by_name }))
      : null,
    a.photo_ids.length
      ? h("div", { class: "sv-photos" }, a.photo_ids.map((p) => flaggedPhoto(ctx, p)))
      : null,
    note,
    h("div", { class: "sv-choices" }, buttons),
    outcome,
  );
}

export const routes = {
  inspect: renderPick,
  checklists: renderChecklists,
  "inspect-form": renderForm,
  inspection: renderInspection,
  rectifications: renderRectifications,
  anomalies: renderAnomalies,
};

// Styles of these screens, injected once (kept here so the module is self-contained and cached
// with it by the service worker).
const STYLE = `
.sv { padding: 0 0 24px; }
.sv h1.sv-title { font-size: 1.3rem; margin: 12px 0; }
.sv h2 { font-size: 1.05rem; margin: 18px 0 8px; }
.sv-muted { color: #666; }
.sv-error { color: var(--red, #b3261e); }
.sv-subject { font-size: 1.1rem; font-weight: 600; }
.sv-input { width: 100%; box-sizing: border-box; min-height: 48px; font-size: 1rem;
  padding: 10px 12px; border: 1px solid #bbb; border-radius: 8px; }
.sv-list { list-style: none; margin: 0; padding: 0; }
.sv-list > li { margin: 6px 0; }
.sv-row { display: block; width: 100%; min-height: 52px; text-align: left; font-size: 1rem;
  padding: 10px 14px; border: 1px solid #ddd; border-radius: 10px; background: #fff; }
.sv-item { border: 1px solid #ddd; border-radius: 10px; padding: 10px 12px; margin: 10px 0;
  background: #fff; }
.sv-item p { margin: 4px 0; }
.sv-critical { border-color: var(--red, #b3261e); }
.sv-badge { background: var(--red, #b3261e); color: #fff; border-radius: 4px; padding: 0 6px; margin-right: 6px;
  font-size: .85rem; }
.sv-fault { color: #6d4c00; }
.sv-impression { color: #555; font-size: .95rem; }
.sv-choices { display: flex; gap: 8px; margin-top: 8px; }
.sv-choices > button { flex: 1; min-height: 52px; font-size: 1.05rem; border-radius: 10px;
  border: 2px solid #ccc; background: #f7f7f7; }
.sv-choice.sv-pass[aria-pressed="true"] { background: #1b7f3b; border-color: #1b7f3b; color: #fff; }
.sv-choice.sv-fail[aria-pressed="true"] { background: var(--red, #b3261e); border-color: var(--red, #b3261e); color: #fff; }
.sv-choice.sv-na[aria-pressed="true"] { background: #555; border-color: #555; color: #fff; }
.sv-extra { margin-top: 8px; }
.sv-note { margin-top: 8px; }
.sv-photos { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.sv-photos img { width: 88px; height: 88px; object-fit: cover; border-radius: 6px; }
.sv-primary, .sv-secondary { min-height: 52px; font-size: 1.05rem; border-radius: 10px;
  padding: 0 18px; width: 100%; margin: 6px 0; }
.sv-primary { background: var(--green, #0b5d3b); color: #fff; border: 0; }
.sv-primary:disabled { background: #9fbfae; }
.sv-secondary { background: #fff; color: var(--green, #0b5d3b); border: 2px solid var(--green, #0b5d3b); }
.sv-timer { display: flex; align-items: center; gap: 10px; margin-top: 8px; flex-wrap: wrap; }
.sv-clock { font-size: 1.6rem; font-variant-numeric: tabular-nums; min-width: 5ch; }
.sv-timer .sv-stopwatch { width: auto; flex: 1; }
.sv-submitbar { position: sticky; bottom: 0; background: #fafafa; padding: 8px 0;
  border-top: 1px solid #ddd; }
.sv-score { text-align: center; border-radius: 12px; padding: 16px; margin: 12px 0; }
.sv-score strong { display: block; font-size: 3rem; }
.sv-score-pass { background: #e6f4ea; }
.sv-score-fail { background: #fce8e6; }
.sv-result-mark { font-weight: 600; }
.sv-result-fail .sv-result-mark { color: var(--red, #b3261e); }
.sv-result-pass .sv-result-mark { color: #1b7f3b; }
.sv-choices > .sv-primary { background: var(--green, #0b5d3b); border-color: var(--green, #0b5d3b); color: #fff; }
.sv-choices > .sv-primary:disabled { background: #5f8f76; border-color: #5f8f76; }
.sv-choices > .sv-secondary { background: #fff; border-color: var(--green, #0b5d3b); color: var(--green, #0b5d3b); }
.sv-back { min-height: 48px; background: none; border: 0; color: var(--green, #0b5d3b); font-size: 1rem;
  padding: 0 4px; justify-content: flex-start; }
.sv-site { display: inline-block; margin-left: 8px; padding: 0 8px; border-radius: 999px; font-size: .85rem;
  font-weight: 600; background: #e6f2ec; color: #0b5d3b; }
.sv-row .sv-site { float: right; }
.sv-place { font-weight: 600; }
.sv-offline { background: #fff4da; color: #6b4600; border-radius: 8px; padding: 6px 10px; }
.sv-ok { color: #1b7f3b; }
.sv-state { font-weight: 600; }
.sv-submitbar { z-index: 5; box-shadow: 0 -2px 6px rgba(0, 0, 0, .08); }
.sv-next { display: flex; width: 100%; min-height: 44px; margin: 0 0 6px; padding: 6px 10px;
  justify-content: flex-start; text-align: left; background: #fff4da; color: #6b4600;
  border: 1px solid #e0c27a; border-radius: 10px; font-size: .95rem; }
.sv-next-photo { background: #fbeaea; color: #8c1d18; border-color: #e5a29d; }
.sv-attention { box-shadow: 0 0 0 3px #e0a800; }
.sv-photo { margin: 0; display: flex; flex-direction: column; width: 88px; }
.sv-reused { font-size: .78rem; line-height: 1.2; color: #8c1d18; background: #fbeaea; border-radius: 4px;
  padding: 2px 4px; margin-top: 2px; font-weight: 600; }
#sv-all-pass { margin-top: 4px; }
`;
