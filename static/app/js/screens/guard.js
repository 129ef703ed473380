// The guard's screens: today's rounds, scanning a checkpoint (camera, the label's URL opened by
// the phone's own camera app, or NFC), the scan form and anomaly reports. Everything a guard
// sends goes through the outbox, so it works the same with and without signal.
import { button, el, shortTime } from "../dom.js";
import { t as translate } from "../i18n.js";

export const messages = {
  zh: {
    "guard.menu": "今日巡更",
    "guard.menu_scan": "扫码打卡",
    "guard.menu_anomaly": "报告异常",
    "guard.title": "今日巡更",
    "guard.scan": "扫码打卡",
    "guard.nfc": "NFC 打卡（贴近标签）",
    "guard.nfc_hold": "请将手机背面贴近巡更点的 NFC 标签…",
    "guard.nfc_failed": "无法读取 NFC：{message}",
    "guard.anomaly": "报告异常",
    "guard.no_rounds": "今天没有巡更任务。",
    "guard.cached": "没有网络，显示上次加载的数据。",
    "guard.progress": "已巡 {visited}/{total}",
    "guard.state.upcoming": "未开始",
    "guard.state.due": "待巡",
    "guard.state.overdue": "已超时",
    "guard.state.in_progress": "进行中",
    "guard.state.done": "已完成",
    "guard.state.closed": "已结束",
    "guard.round": "巡更任务",
    "guard.visited": "已巡",
    "guard.not_visited": "未巡",
    "guard.needs_photo": "需拍照",
    "guard.checkpoint_n": "巡更点 #{id}",
    "guard.scanner_title": "扫描巡更点二维码",
    "guard.scanner_hint": "把二维码放在框内。也可以直接用手机相机扫标签，打开链接即可。",
    "guard.camera_failed": "无法打开相机：{message}",
    "guard.camera_denied": "相机权限被拒绝，无法在本页扫码。",
    "guard.camera_help": "请允许浏览器使用相机：点地址栏左侧的锁形图标 →「权限」或「网站设置」→ 相机 →「允许」，然后刷新本页。也可以用手机自带的相机扫标签，或在下面输入标签上的编码。",
    "guard.camera_none": "这部手机或浏览器不能在网页中使用相机。可以用手机自带的相机扫标签，或在下面输入标签上的编码。",
    "guard.manual_title": "二维码损坏？输入标签上的编码",
    "guard.manual_label": "标签编码（如 HRZX-C-0345）",
    "guard.manual_go": "打开打卡表",
    "guard.manual_empty": "请输入标签上印的编码。",
    "guard.manual_bad": "编码格式不对，应像 HRZX-C-0345。",
    "guard.manual_note": "手动输入的编码会被标记，由主管核对。",
    "guard.bad_code": "这不是巡更点的二维码。",
    "guard.form_title": "巡更打卡",
    "guard.via.qr": "扫码",
    "guard.via.nfc": "NFC",
    "guard.via.manual": "手动",
    "guard.photo": "拍照",
    "guard.photo_required": "此巡更点需要拍照。",
    "guard.photo_optional": "可选：拍照留证",
    "guard.remove": "删除",
    "guard.items": "检查项",
    "guard.items_unknown": "此点有检查项，联网后才能加载。",
    "guard.pass": "正常",
    "guard.fail": "异常",
    "guard.fail_note": "异常说明",
    "guard.answer_all": "请完成全部检查项。",
    "guard.note": "备注（可选）",
    "guard.gps_wait": "正在定位…",
    "guard.gps_ok": "已定位（误差约 {m} 米）",
    "guard.gps_none": "未获得位置（可继续提交）",
    "guard.submit": "提交打卡",
    "guard.saved": "没有网络：打卡已保存在本机，有网络时自动发送。",
    "guard.sending": "正在发送…",
    "guard.result.accepted": "打卡成功",
    "guard.result.flagged": "打卡已记录，但有标记，主管会核对：",
    "guard.result.rejected": "打卡被拒绝：",
    "guard.result.round": "{round}：已巡 {visited}/{total}",
    "guard.result.no_round": "此打卡不属于当前任何巡更任务（已记录，但不计入任务进度）。",
    "guard.result.round_unknown": "巡更任务进度暂时无法加载。",
    "guard.scan_next": "继续扫码",
    "guard.anomaly_sent": "异常已报告。",
    "guard.anomaly_refused": "异常报告被拒绝：",
    "guard.anomaly_title": "报告异常",
    "guard.category": "类别",
    "guard.describe": "情况说明",
    "guard.submit_anomaly": "提交异常",
    "guard.anomaly_saved": "没有网络：异常已保存在本机，有网络时自动发送。",
    "guard.no_site": "您的账号没有关联项目。",
    "guard.urgency": "紧急程度",
    "guard.urgency.auto": "按类别（默认）",
    "guard.urgency.urgent": "紧急",
    "guard.urgency.ordinary": "一般",
    "guard.promise": "须在 {respond} 前响应，{resolve} 前办结。",
    "guard.promise_respond": "须在 {respond} 前响应。",
    "guard.promise_resolve": "须在 {resolve} 前办结。",
    "guard.promise_title": "异常已报告",
    "guard.report_another": "再报告一项",
    "cat.complaint": "投诉",
    "cat.lighting": "照明故障",
    "cat.water_leak": "漏水",
    "cat.fire_exit_blocked": "消防通道堵塞",
    "cat.fire_equipment": "消防设施问题",
    "cat.security": "治安 / 安全隐患",
    "cat.cleanliness": "卫生问题",
    "cat.facility_damage": "设施损坏",
    "cat.other": "其他",
  },
  en: {
    "guard.menu": "Today's rounds",
    "guard.menu_scan": "Scan a checkpoint",
    "guard.menu_anomaly": "Report an anomaly",
    "guard.title": "Today's rounds",
    "guard.scan": "Scan a checkpoint",
    "guard.nfc": "NFC (hold to the tag)",
    "guard.nfc_hold": "Hold the back of the phone to the checkpoint's NFC tag…",
    "guard.nfc_failed": "Cannot read NFC: {message}",
    "guard.anomaly": "Report an anomaly",
    "guard.no_rounds": "No rounds today.",
    "guard.cached": "No signal: showing what was last loaded.",
    "guard.progress": "{visited}/{total} visited",
    "guard.state.upcoming": "Upcoming",
    "guard.state.due": "Due",
    "guard.state.overdue": "Overdue",
    "guard.state.in_progress": "In progress",
    "guard.state.done": "Done",
    "guard.state.closed": "Closed",
    "guard.round": "Round",
    "guard.visited": "Visited",
    "guard.not_visited": "Not yet",
    "guard.needs_photo": "Photo needed",
    "guard.checkpoint_n": "Checkpoint #{id}",
    "guard.scanner_title": "Scan the checkpoint's QR code",
    "guard.scanner_hint": "Hold the code inside the frame. The phone's own camera app works too: open the link.",
    "guard.camera_failed": "Cannot open the camera: {message}",
    "guard.camera_denied": "Camera permission was refused, so this page cannot scan.",
    "guard.camera_help": "Allow the camera: tap the lock left of the address → Permissions or Site settings → Camera → Allow, then reload this page. Or scan the label with the phone's own camera app, or type the label's code below.",
    "guard.camera_none": "This phone or browser cannot use the camera in a web page. Scan the label with the phone's own camera app, or type the label's code below.",
    "guard.manual_title": "QR code damaged? Type the label's code",
    "guard.manual_label": "Label code (e.g. HRZX-C-0345)",
    "guard.manual_go": "Open the scan form",
    "guard.manual_empty": "Type the code printed on the label.",
    "guard.manual_bad": "That does not look like a label code such as HRZX-C-0345.",
    "guard.manual_note": "A typed code is flagged for the supervisor to check.",
    "guard.bad_code": "This is not a checkpoint code.",
    "guard.form_title": "Patrol scan",
    "guard.via.qr": "QR code",
    "guard.via.nfc": "NFC",
    "guard.via.manual": "Manual",
    "guard.photo": "Take a photo",
    "guard.photo_required": "This checkpoint needs a photo.",
    "guard.photo_optional": "Optional: a photo as evidence",
    "guard.remove": "Remove",
    "guard.items": "Check items",
    "guard.items_unknown": "This checkpoint has check items; they load when there is signal.",
    "guard.pass": "OK",
    "guard.fail": "Fault",
    "guard.fail_note": "What is wrong",
    "guard.answer_all": "Answer every check item.",
    "guard.note": "Note (optional)",
    "guard.gps_wait": "Finding location…",
    "guard.gps_ok": "Location found (about {m} m)",
    "guard.gps_none": "No location (you can still send)",
    "guard.submit": "Send scan",
    "guard.saved": "No signal: the scan is saved on this phone and sent when there is signal.",
    "guard.sending": "Sending…",
    "guard.result.accepted": "Scan accepted",
    "guard.result.flagged": "Scan recorded but flagged; the supervisor will check:",
    "guard.result.rejected": "Scan refused:",
    "guard.result.round": "{round}: {visited}/{total} visited",
    "guard.result.no_round": "This scan belongs to no current round (recorded, but it counts for no round).",
    "guard.result.round_unknown": "The round's progress cannot be loaded right now.",
    "guard.scan_next": "Scan the next one",
    "guard.anomaly_sent": "Anomaly reported.",
    "guard.anomaly_refused": "The report was refused:",
    "guard.anomaly_title": "Report an anomaly",
    "guard.category": "Category",
    "guard.describe": "What happened",
    "guard.submit_anomaly": "Send report",
    "guard.anomaly_saved": "No signal: the report is saved on this phone and sent when there is signal.",
    "guard.no_site": "Your account has no site.",
    "guard.urgency": "Urgency",
    "guard.urgency.auto": "By the category (default)",
    "guard.urgency.urgent": "Urgent",
    "guard.urgency.ordinary": "Ordinary",
    "guard.promise": "To be answered by {respond} and dealt with by {resolve}.",
    "guard.promise_respond": "To be answered by {respond}.",
    "guard.promise_resolve": "To be dealt with by {resolve}.",
    "guard.promise_title": "Anomaly reported",
    "guard.report_another": "Report another",
    "cat.complaint": "Complaint",
    "cat.lighting": "Lighting fault",
    "cat.water_leak": "Water leak",
    "cat.fire_exit_blocked": "Fire exit blocked",
    "cat.fire_equipment": "Fire equipment",
    "cat.security": "Security",
    "cat.cleanliness": "Cleanliness",
    "cat.facility_damage": "Facility damage",
    "cat.other": "Other",
  },
};

const CATEGORIES = [
  "lighting",
  "water_leak",
  "fire_exit_blocked",
  "fire_equipment",
  "security",
  "cleanliness",
  "facility_damage",
  "complaint",
  "other",
];
const URGENCIES = ["", "urgent", "ordinary"]; // "": left out, the server goes by the category
const SCANNERS = new Set(["guard", "supervisor", "manager", "admin"]);
const TOKEN = /^([cp])(\d+)\.(\d+)\.(\d+)\.[A-Za-z0-9_-]{22}$/;
// The short code printed on a checkpoint's label, typed when its QR code is damaged.
const SHORT_CODE = /^[A-Z0-9-]{2,16}-C-\d{1,10}$/;

// --- what the phone remembers for offline use ------------------------------------------------

function load(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function keep(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full: the app still works online.
  }
}

const CHECKPOINTS = "xj.guard.checkpoints"; // id → {name, code, site_id, area_id, checklist}
const CHECKLISTS = "xj.guard.checklists"; // code → items
const PHOTO_POINTS = "xj.guard.photo_points"; // checkpoint ids that need a photo today
const ROUNDS = "xj.guard.rounds";

async function remember(ctx, rounds) {
  const checkpoints = await ctx.api("GET", "/checkpoints", { query: { page_size: 100, active: true } });
  const known = load(CHECKPOINTS, {});
  for (const c of checkpoints) {
    known[c.id] = { name: c.name, code: c.code, site_id: c.site_id, area_id: c.area_id, checklist: c.checklist };
  }
  keep(CHECKPOINTS, known);
  const checklists = load(CHECKLISTS, {});
  for (const code of new Set(checkpoints.map((c) => c.checklist).filter(Boolean))) {
    const checklist = await ctx.api("GET", `/checklists/${encodeURIComponent(code)}`);
    checklists[code] = checklist.sections.flatMap((s) => s.items);
  }
  keep(CHECKLISTS, checklists);
  const open = rounds.filter((r) => !["done", "closed"].includes(r.state)).slice(0, 12);
  const details = await Promise.all(open.map((r) => ctx.api("GET", `/rounds/${r.id}`)));
  const photoPoints = new Set();
  for (const d of details) for (const s of d.stops) if (s.needs_photo) photoPoints.add(s.checkpoint_id);
  keep(PHOTO_POINTS, [...photoPoints]);
}

async function checkpointInfo(ctx, id) {
  const known = load(CHECKPOINTS, {});
  let info = known[id];
  if (!info) {
    try {
      const c = await ctx.api("GET", `/checkpoints/${id}`);
      info = { name: c.name, code: c.code, site_id: c.site_id, area_id: c.area_id, checklist: c.checklist };
      known[id] = info;
      keep(CHECKPOINTS, known);
    } catch {
      return null; // offline, or not a checkpoint of this guard's sites: the server will say
    }
  }
  if (info.checklist && !load(CHECKLISTS, {})[info.checklist]) {
    try {
      const checklist = await ctx.api("GET", `/checklists/${encodeURIComponent(info.checklist)}`);
      const all = load(CHECKLISTS, {});
      all[info.checklist] = checklist.sections.flatMap((s) => s.items);
      keep(CHECKLISTS, all);
    } catch {
      // offline: the form says the items load with signal
    }
  }
  return info;
}

// A checkpoint by the short code printed on its label ("HRZX-C-0345"): the phone's list first,
// then the server (the list of my sites' checkpoints); null when unknown (the server says why).
async function checkpointByCode(ctx, code) {
  const find = () => Object.entries(load(CHECKPOINTS, {})).find(([, c]) => c.code === code);
  let found = find();
  if (!found) {
    try {
      const checkpoints = await ctx.api("GET", "/checkpoints", { query: { page_size: 100, active: true } });
      const known = load(CHECKPOINTS, {});
      for (const c of checkpoints) {
        known[c.id] = { name: c.name, code: c.code, site_id: c.site_id, area_id: c.area_id, checklist: c.checklist };
      }
      keep(CHECKPOINTS, known);
      found = find();
    } catch {
      return null;
    }
  }
  return found ? { id: Number(found[0]), ...(await checkpointInfo(ctx, Number(found[0]))) } : null;
}

// --- helpers ---------------------------------------------------------------------------------

function hhmm(iso) {
  return iso ? iso.slice(11, 16) : "";
}

// The token in a scanned text: a label URL (https://host/s/<token>) or the bare token.
export function extractToken(text) {
  const value = String(text || "").trim();
  const match = value.match(/\/s\/([^/?#\s]+)/);
  return match ? decodeURIComponent(match[1]) : value;
}

function parseToken(token) {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return { kind: match[1], site_id: Number(match[2]), object_id: Number(match[3]) };
}

// What needs the guard now comes first: overdue, due and under way, then upcoming, then the
// rounds already over; by time within each group.
const URGENCY = { overdue: 0, due: 1, in_progress: 1, upcoming: 2, done: 3, closed: 3 };

function byUrgency(a, b) {
  const group = (URGENCY[a.state] ?? 2) - (URGENCY[b.state] ?? 2);
  return group || a.starts_at.localeCompare(b.starts_at);
}

function localMidnight(offsetDays = 0) {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + offsetDays);
  return d;
}

// A photo picker bound to the rear camera, with previews; returns {element, files()}.
function photoPicker(ctx, required) {
  const files = [];
  const box = el("div", { class: "photo-picker" });
  const hint = el("p", { class: required ? "error" : "muted small" });
  hint.textContent = required ? ctx.t("guard.photo_required") : ctx.t("guard.photo_optional");
  const previews = el("div", { class: "photos" });
  const input = ctx.photoInput();
  input.hidden = true;
  input.className = "photo-input";
  const take = button(ctx.t("guard.photo"), "block");
  take.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    for (const file of input.files) {
      if (files.length >= 10) break;
      files.push(file);
      const figure = el("figure", { class: "photo" });
      const image = el("img", { alt: "" });
      image.src = URL.createObjectURL(file);
      const remove = button(ctx.t("guard.remove"), "");
      remove.addEventListener("click", () => {
        files.splice(files.indexOf(file), 1);
        figure.remove();
      });
      figure.append(image, remove);
      previews.append(figure);
    }
    input.value = "";
  });
  box.append(hint, previews, take, input);
  return { element: box, files: () => [...files] };
}

function watchPosition(ctx, line) {
  const position = { value: null };
  line.textContent = ctx.t("guard.gps_wait");
  if (!navigator.geolocation) {
    line.textContent = ctx.t("guard.gps_none");
    return position;
  }
  navigator.geolocation.getCurrentPosition(
    (p) => {
      position.value = p.coords;
      line.textContent = ctx.t("guard.gps_ok", { m: Math.round(p.coords.accuracy) });
    },
    () => {
      line.textContent = ctx.t("guard.gps_none");
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
  );
  return position;
}

// --- screens ---------------------------------------------------------------------------------

async function renderRounds(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("guard.title")));
  const actions = el("div", { class: "guard-actions" });
  const scan = el("a", { class: "button primary block", href: "#/scanner" }, `▣ ${t("guard.scan")}`);
  actions.append(scan);
  if ("NDEFReader" in window) actions.append(nfcButton(ctx));
  actions.append(el("a", { class: "button block", href: "#/anomaly" }, `⚠ ${t("guard.anomaly")}`));
  view.append(actions);
  const list = el("div", { class: "rounds" });
  view.append(list);
  let rounds;
  try {
    rounds = await ctx.api("GET", "/rounds", {
      query: {
        starts_from: ctx.localIso(localMidnight(0)),
        starts_to: ctx.localIso(localMidnight(1)),
        page_size: 100,
      },
    });
    rounds.sort(byUrgency);
    keep(ROUNDS, { day: localMidnight(0).toDateString(), rounds });
    remember(ctx, rounds).catch((error) => console.warn("offline data not refreshed", error));
  } catch (error) {
    if (error.status !== 0) throw error;
    const cached = load(ROUNDS, null);
    rounds = cached && cached.day === localMidnight(0).toDateString() ? cached.rounds : [];
    list.append(el("p", { class: "muted" }, t("guard.cached")));
  }
  if (lastOutcome) {
    const shown = lastOutcome;
    lastOutcome = null;
    view.insertBefore(await outcomeCard(shown, rounds, ctx), actions);
  }
  if (!rounds.length) list.append(el("p", { class: "muted" }, t("guard.no_rounds")));
  for (const r of rounds) {
    const card = el("a", { class: "card round", href: `#/round/${r.id}`, "data-round": String(r.id) });
    if (["due", "overdue", "in_progress"].includes(r.state)) card.classList.add("highlight");
    const row = el("div", { class: "row" });
    row.append(el("strong", { class: "grow" }, `${hhmm(r.starts_at)}–${hhmm(r.ends_at)}`));
    const badge = el("span", { class: "badge" }, t(`guard.state.${r.state}`));
    if (r.state === "overdue") badge.classList.add("bad");
    if (r.state === "due") badge.classList.add("warn");
    row.append(badge);
    card.append(row);
    const bar = el("div", { class: "progress" });
    const fill = el("span");
    fill.style.width = `${r.total ? Math.round((100 * r.visited) / r.total) : 0}%`;
    bar.append(fill);
    card.append(bar, el("p", { class: "small muted" }, t("guard.progress", r)));
    list.append(card);
  }
  view.append(el("a", { class: "button block back", href: "#/" }, t("app.home")));
}

function nfcButton(ctx) {
  const b = button(ctx.t("guard.nfc"), "block nfc");
  b.addEventListener("click", async () => {
    const controller = new AbortController();
    window.addEventListener("hashchange", () => controller.abort(), { once: true });
    try {
      const reader = new window.NDEFReader();
      await reader.scan({ signal: controller.signal });
      ctx.toast(ctx.t("guard.nfc_hold"));
      reader.onreading = (event) => {
        for (const record of event.message.records) {
          if (record.recordType !== "url" && record.recordType !== "absolute-url") continue;
          const url = new TextDecoder().decode(record.data);
          controller.abort();
          ctx.navigate("scan", extractToken(url), "nfc");
          return;
        }
      };
    } catch (error) {
      ctx.toast(ctx.t("guard.nfc_failed", { message: error.message }));
    }
  });
  return b;
}

async function renderRound(view, [id], ctx) {
  const { t } = ctx;
  const r = await ctx.api("GET", `/rounds/${encodeURIComponent(id)}`);
  view.append(el("h1", {}, `${t("guard.round")} ${hhmm(r.starts_at)}–${hhmm(r.ends_at)}`));
  view.append(el("p", {}, `${t(`guard.state.${r.state}`)} · ${t("guard.progress", r)}`));
  const list = el("ul", { class: "stops" });
  for (const s of r.stops) {
    const li = el("li");
    li.append(el("span", {}, s.visited ? "✓" : "○"));
    li.append(el("span", { class: "grow" }, s.name || t("guard.checkpoint_n", { id: s.checkpoint_id })));
    if (s.needs_photo) li.append(el("span", { class: "badge warn" }, t("guard.needs_photo")));
    li.append(el("span", { class: "small muted" }, s.visited ? t("guard.visited") : t("guard.not_visited")));
    list.append(li);
  }
  view.append(list);
  view.append(el("a", { class: "button primary block", href: "#/scanner" }, t("guard.scan")));
  view.append(el("a", { class: "button block", href: "#/guard" }, t("app.back")));
}

let jsqrLoading = null;

function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  if (!jsqrLoading) {
    jsqrLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/static/vendor/jsqr/jsQR.js";
      script.onload = () => resolve(window.jsQR);
      script.onerror = () => reject(new Error("jsQR did not load"));
      document.head.append(script);
    });
  }
  return jsqrLoading;
}

async function qrReader(video) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async () => (await detector.detect(video))[0]?.rawValue || null;
      }
    } catch {
      // fall through to jsQR
    }
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async () => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    const scale = Math.min(1, 800 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data || null;
  };
}

// Typing the label's short code (or its URL) when the QR code is damaged or the camera fails.
function manualEntry(ctx) {
  const { t } = ctx;
  const form = el("form", { id: "manual-form", class: "card manual-form", novalidate: "" });
  form.append(el("h2", {}, t("guard.manual_title")));
  form.append(el("label", { for: "manual-code" }, t("guard.manual_label")));
  const input = el("input", {
    id: "manual-code",
    autocapitalize: "characters",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: "300",
    "aria-describedby": "manual-error",
  });
  const error = el("p", { class: "error", id: "manual-error", role: "alert" });
  form.append(input, el("p", { class: "small muted" }, t("guard.manual_note")), error);
  form.append(button(t("guard.manual_go"), "primary block", "submit"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      error.textContent = t("guard.manual_empty");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    const token = extractToken(text);
    if (parseToken(token)) {
      ctx.navigate("scan", token, "manual");
      return;
    }
    const code = text.toUpperCase().replace(/\s+/g, "");
    if (!SHORT_CODE.test(code)) {
      error.textContent = t("guard.manual_bad");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    ctx.navigate("scan", code, "manual");
  });
  return form;
}

async function renderScanner(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("guard.scanner_title")));
  const frame = el("div", { class: "scanner" });
  const video = el("video", { playsinline: "", muted: "", autoplay: "", "aria-label": t("guard.scanner_title") });
  video.muted = true;
  frame.append(video);
  const error = el("p", { class: "error camera-error", role: "alert" });
  const help = el("p", { class: "camera-help" });
  help.hidden = true;
  view.append(frame, el("p", { class: "muted small" }, t("guard.scanner_hint")), error, help);
  view.append(manualEntry(ctx));
  view.append(el("a", { class: "button block", href: "#/" }, t("app.back")));
  const cameraFailed = (failure) => {
    frame.hidden = true;
    const denied = failure && ["NotAllowedError", "SecurityError", "PermissionDeniedError"].includes(failure.name);
    if (denied) {
      error.textContent = t("guard.camera_denied");
      help.textContent = t("guard.camera_help");
    } else if (!failure) {
      error.textContent = "";
      help.textContent = t("guard.camera_none");
    } else {
      // No camera, or it is busy: said in our words; the browser's own text only as a detail.
      error.textContent = t("guard.camera_failed", { message: failure.name || failure.message });
      help.textContent = t("guard.camera_none");
    }
    help.hidden = false;
  };
  if (!navigator.mediaDevices?.getUserMedia) {
    cameraFailed(null);
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
  } catch (failure) {
    cameraFailed(failure);
    return;
  }
  const stop = () => stream.getTracks().forEach((track) => track.stop());
  window.addEventListener("hashchange", stop, { once: true });
  video.srcObject = stream;
  await video.play().catch(() => {});
  const read = await qrReader(video);
  while (view.isConnected) {
    let text = null;
    try {
      text = await read();
    } catch {
      text = null;
    }
    if (text) {
      const token = extractToken(text);
      if (parseToken(token)) {
        stop();
        ctx.navigate("scan", token, "qr");
        return;
      }
      error.textContent = t("guard.bad_code");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop();
}

async function renderScan(view, [rawToken = "", carrier = "qr"], ctx) {
  const { t } = ctx;
  const token = extractToken(rawToken);
  const parsed = parseToken(token);
  if (parsed && parsed.kind === "p") {
    ctx.redirect("greet-check", token); // a greeting post's code: the manager's check-in
    return;
  }
  const user = ctx.session().user;
  const via = ["qr", "nfc", "manual"].includes(carrier) ? carrier : "qr";
  // A typed short code: the checkpoint as the phone knows it (the server resolves it anyway).
  const typed = !parsed && via === "manual" && SHORT_CODE.test(token) ? token : null;
  const info = parsed ? await checkpointInfo(ctx, parsed.object_id) : typed ? await checkpointByCode(ctx, typed) : null;
  const checkpointId = parsed?.object_id ?? info?.id ?? null;
  view.append(el("h1", {}, t("guard.form_title")));
  const name = info?.name || (parsed ? t("guard.checkpoint_n", { id: parsed.object_id }) : token);
  view.append(el("p", { class: "checkpoint-name" }, name));
  view.append(el("p", { class: "small muted" }, typed ? `${t("guard.via.manual")} · ${typed}` : t(`guard.via.${via}`)));
  if (!SCANNERS.has(user.role)) {
    view.append(el("p", { class: "error" }, t("guard.bad_code")));
    return;
  }
  const form = el("form", { class: "scan-form", novalidate: "" });
  const needsPhoto = checkpointId !== null && load(PHOTO_POINTS, []).includes(checkpointId);
  const photos = photoPicker(ctx, needsPhoto);
  form.append(photos.element);

  const answers = {};
  const items = info?.checklist ? load(CHECKLISTS, {})[info.checklist] : [];
  if (info?.checklist && !items) {
    form.append(el("p", { class: "muted" }, t("guard.items_unknown")));
  }
  if (items?.length) {
    form.append(el("h2", {}, t("guard.items")));
    for (const item of items) {
      const block = el("div", { class: "item", "data-code": item.code });
      const text = ctx.lang() === "en" && item.requirement_en ? item.requirement_en : item.requirement;
      block.append(el("p", {}, text));
      const choice = el("div", { class: "choice" });
      const pass = button(t("guard.pass"), "pass");
      const fail = button(t("guard.fail"), "fail");
      const note = el("input", { placeholder: t("guard.fail_note"), maxlength: "500" });
      note.hidden = true;
      pass.addEventListener("click", () => {
        answers[item.code] = { code: item.code, result: "pass" };
        pass.classList.add("selected");
        fail.classList.remove("selected");
        note.hidden = true;
      });
      fail.addEventListener("click", () => {
        answers[item.code] = { code: item.code, result: "fail" };
        fail.classList.add("selected");
        pass.classList.remove("selected");
        note.hidden = false;
      });
      note.addEventListener("input", () => {
        if (answers[item.code]) answers[item.code].note = note.value;
      });
      choice.append(pass, fail);
      block.append(choice, note);
      form.append(block);
    }
  }

  form.append(el("label", { for: "scan-note" }, t("guard.note")));
  const note = el("textarea", { id: "scan-note", maxlength: "500" });
  form.append(note);
  const gps = el("p", { class: "small muted gps" });
  form.append(gps);
  const position = watchPosition(ctx, gps);
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "muted small", role: "status" });
  const submit = button(t("guard.submit"), "primary block", "submit");
  const bar = el("div", { class: "actions" });
  bar.append(error, status, submit);
  form.append(bar);
  view.append(form);
  view.append(el("a", { class: "button block back", href: "#/guard" }, t("app.back")));

  const photoIds = new Map(); // a photo sent again after a refusal keeps its id (stored once)
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = photos.files();
    if (needsPhoto && !files.length) {
      error.textContent = t("guard.photo_required");
      return;
    }
    if (items?.length && Object.keys(answers).length !== items.length) {
      error.textContent = t("guard.answer_all");
      return;
    }
    submit.disabled = true;
    error.textContent = "";
    status.textContent = t("guard.sending");
    const coords = position.value;
    const payload = {
      id: ctx.uuid(), // a new id for each try: a refused scan stored nothing
      payload: token,
      carrier: via,
      device_at: ctx.localIso(),
      device_id: ctx.deviceId(),
      note: note.value.trim().slice(0, 500),
      answers: Object.values(answers),
    };
    if (coords) {
      payload.latitude = coords.latitude;
      payload.longitude = coords.longitude;
      payload.accuracy_m = Math.min(coords.accuracy, 100000);
    }
    const siteId = info?.site_id ?? parsed?.site_id ?? user.site_ids?.[0];
    const blobs = files.map((blob) => {
      if (!photoIds.has(blob)) photoIds.set(blob, ctx.uuid());
      return { blob, id: photoIds.get(blob), site_id: siteId, area_id: info?.area_id ?? null, place: name };
    });
    const result = await ctx.outbox.submit("scan", payload, blobs, { label: name });
    status.textContent = "";
    if (result.queued) {
      ctx.toast(t("guard.saved"));
      ctx.navigate("guard");
      return;
    }
    if (result.refused) {
      // Said where it happened, in the server's words; the form stays to put it right.
      error.textContent = `${t("guard.result.rejected")} ${result.refused.display()}`;
      error.dataset.error = result.refused.error;
      submit.disabled = false;
      return;
    }
    // The answer is shown on the round list, loaded afresh, so the progress is the server's.
    lastOutcome = { outcome: result.answer, name };
    ctx.navigate("guard");
  });
}

// The server's answer to the last scan, shown once at the top of the (reloaded) round list.
let lastOutcome = null;

// Accepted, or flagged and why, and the round's progress as the server now counts it (or that
// the scan belongs to no round).
async function outcomeCard({ outcome, name }, rounds, ctx) {
  const { t } = ctx;
  const flagged = outcome.status === "flagged";
  const box = el("section", {
    id: "scan-result",
    class: `card scan-result ${outcome.status}`,
    "data-status": outcome.status,
    role: "status",
  });
  box.append(el("h2", { class: flagged ? "warn" : "ok" }, t(flagged ? "guard.result.flagged" : "guard.result.accepted")));
  box.append(el("p", { class: "checkpoint-name" }, name));
  if (flagged) {
    const reasons = el("ul", { class: "flags" });
    for (const flag of outcome.flags || []) {
      reasons.append(el("li", { "data-flag": flag.code }, ctx.lang() === "zh" ? flag.reason_zh || flag.reason : flag.reason));
    }
    box.append(reasons);
  }
  const progress = el("p", { class: "round-progress" });
  box.append(progress);
  box.append(el("a", { class: "button primary block", href: "#/scanner" }, `▣ ${t("guard.scan_next")}`));
  if (outcome.round_id === null || outcome.round_id === undefined) {
    progress.textContent = t("guard.result.no_round");
    progress.dataset.round = "none";
    return box;
  }
  let r = rounds.find((one) => one.id === outcome.round_id);
  if (!r) {
    try {
      r = await ctx.api("GET", `/rounds/${outcome.round_id}`);
    } catch {
      progress.textContent = t("guard.result.round_unknown");
      return box;
    }
  }
  const round = `${t("guard.round")} ${hhmm(r.starts_at)}–${hhmm(r.ends_at)}`;
  progress.textContent = t("guard.result.round", { round, visited: r.visited, total: r.total });
  progress.dataset.round = String(r.id);
  progress.dataset.visited = String(r.visited);
  return box;
}

async function renderAnomaly(view, [checkpointId], ctx) {
  const { t } = ctx;
  const user = ctx.session().user;
  const info = checkpointId ? await checkpointInfo(ctx, Number(checkpointId)) : null;
  const siteId = info?.site_id ?? user.site_ids?.[0];
  view.append(el("h1", {}, t("guard.anomaly_title")));
  if (info) view.append(el("p", {}, info.name));
  if (!siteId) {
    view.append(el("p", { class: "error" }, t("guard.no_site")));
    return;
  }
  const form = el("form", { class: "anomaly-form", novalidate: "" });
  form.append(el("label", { for: "category" }, t("guard.category")));
  const select = el("select", { id: "category" });
  for (const c of CATEGORIES) select.append(el("option", { value: c }, t(`cat.${c}`)));
  form.append(select);
  const urgency = el("fieldset", { class: "urgency" });
  urgency.append(el("legend", {}, t("guard.urgency")));
  for (const value of URGENCIES) {
    const id = `urgency-${value || "auto"}`;
    const radio = el("input", { type: "radio", name: "urgency", id, value });
    radio.checked = value === "";
    const label = el("label", { for: id });
    label.append(radio, document.createTextNode(t(`guard.urgency.${value || "auto"}`)));
    urgency.append(label);
  }
  form.append(urgency);
  form.append(el("label", { for: "anomaly-note" }, t("guard.describe")));
  const note = el("textarea", { id: "anomaly-note", maxlength: "1000" });
  form.append(note);
  const photos = photoPicker(ctx, false);
  form.append(photos.element);
  const error = el("p", { class: "error", role: "alert" });
  const status = el("p", { class: "muted small", role: "status" });
  const submit = button(t("guard.submit_anomaly"), "primary block", "submit");
  form.append(error, status, submit);
  view.append(form);
  view.append(el("a", { class: "button block back", href: "#/" }, t("app.back")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.textContent = "";
    status.textContent = t("guard.sending");
    const payload = {
      id: ctx.uuid(),
      site_id: siteId,
      category: select.value,
      note: note.value.trim().slice(0, 1000),
    };
    const chosen = form.querySelector("input[name=urgency]:checked")?.value;
    if (chosen) payload.urgency = chosen;
    if (info) {
      payload.checkpoint_id = Number(checkpointId);
      payload.area_id = info.area_id;
    }
    const blobs = photos.files().map((blob) => ({
      blob,
      site_id: siteId,
      area_id: info?.area_id ?? null,
      place: info?.name || "",
    }));
    const result = await ctx.outbox.submit("anomaly", payload, blobs, {
      label: `${t(`cat.${select.value}`)}${info ? ` · ${info.name}` : ""}`,
    });
    status.textContent = "";
    if (result.refused) {
      error.textContent = `${t("guard.anomaly_refused")} ${result.refused.display()}`;
      submit.disabled = false;
      return;
    }
    if (result.queued) {
      // Kept on the phone: the server has given no promise yet, so none is said.
      ctx.toast(t("guard.anomaly_saved"));
      ctx.navigate("");
      return;
    }
    const promise = promiseText(ctx, result.answer);
    const gap = ctx.lang() === "en" ? " " : "";
    ctx.toast(promise ? `${t("guard.anomaly_sent")}${gap}${promise}` : t("guard.anomaly_sent"));
    form.replaceWith(promiseCard(ctx, result.answer, promise, checkpointId));
    view.querySelector(".back")?.remove();
    window.scrollTo(0, 0);
  });
}

// A deadline as the server gave it (the site's wall clock): its time on the day of the report,
// else with its date.
function dueText(iso, reportedIso) {
  if (!iso) return "";
  return reportedIso && iso.slice(0, 10) === reportedIso.slice(0, 10) ? iso.slice(11, 16) : shortTime(iso);
}

// The promise the server gave a report: answered by …, dealt with by … ("" when it gave none).
function promiseText(ctx, answer) {
  const respond = dueText(answer?.respond_due_at, answer?.reported_at);
  const resolve = dueText(answer?.resolve_due_at, answer?.reported_at);
  if (respond && resolve) return ctx.t("guard.promise", { respond, resolve });
  if (respond) return ctx.t("guard.promise_respond", { respond });
  if (resolve) return ctx.t("guard.promise_resolve", { resolve });
  return "";
}

function promiseCard(ctx, answer, promise, checkpointId) {
  const { t } = ctx;
  const card = el("section", {
    id: "anomaly-result",
    class: "card scan-result accepted",
    "data-urgency": answer.urgency || "",
    "data-respond-due": answer.respond_due_at || "",
    "data-resolve-due": answer.resolve_due_at || "",
  });
  const title = el("h2", { class: "ok" }, t("guard.promise_title"));
  if (answer.urgency) {
    const urgent = answer.urgency === "urgent";
    const badge = el("span", { class: urgent ? "badge bad" : "badge" }, t(`guard.urgency.${answer.urgency}`));
    title.append(" ", badge);
  }
  card.append(title);
  const about = `${t(`cat.${answer.category}`)} · ${shortTime(answer.reported_at)}`;
  card.append(el("p", { class: "small muted" }, about));
  if (promise) card.append(el("p", { class: "promise" }, promise));
  const again = button(t("guard.report_another"), "block");
  again.addEventListener("click", () => ctx.navigate("anomaly", ...(checkpointId ? [checkpointId] : [])));
  card.append(el("a", { class: "button primary block", href: "#/" }, t("app.home")), again);
  return card;
}

export const routes = {
  guard: renderRounds,
  round: renderRound,
  scanner: renderScanner,
  scan: renderScan,
  anomaly: renderAnomaly,
};

export function menu(user) {
  if (user.role !== "guard") return [];
  return [
    { route: "guard", label: translate("guard.menu") },
    { route: "scanner", label: translate("guard.menu_scan") },
    { route: "anomaly", label: translate("guard.menu_anomaly") },
  ];
}
