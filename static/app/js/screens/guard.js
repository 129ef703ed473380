// The guard's screens: today's rounds, scanning a checkpoint (camera, the label's URL opened by
// the phone's own camera app, or NFC), the scan form and anomaly reports. Everything a guard
// sends goes through the outbox, so it works the same with and without signal.
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
    "guard.saved": "已保存，有网络时自动发送。",
    "guard.anomaly_title": "报告异常",
    "guard.category": "类别",
    "guard.describe": "情况说明",
    "guard.submit_anomaly": "提交异常",
    "guard.anomaly_saved": "异常已保存，有网络时自动发送。",
    "guard.no_site": "您的账号没有关联项目。",
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
    "guard.saved": "Saved; it is sent when there is signal.",
    "guard.anomaly_title": "Report an anomaly",
    "guard.category": "Category",
    "guard.describe": "What happened",
    "guard.submit_anomaly": "Send report",
    "guard.anomaly_saved": "Report saved; it is sent when there is signal.",
    "guard.no_site": "Your account has no site.",
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
  "other",
];
const SCANNERS = new Set(["guard", "supervisor", "manager", "admin"]);
const TOKEN = /^([cp])(\d+)\.(\d+)\.(\d+)\.[A-Za-z0-9_-]{22}$/;

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

const CHECKPOINTS = "xj.guard.checkpoints"; // id → {name, site_id, area_id, checklist}
const CHECKLISTS = "xj.guard.checklists"; // code → items
const PHOTO_POINTS = "xj.guard.photo_points"; // checkpoint ids that need a photo today
const ROUNDS = "xj.guard.rounds";

async function remember(ctx, rounds) {
  const checkpoints = await ctx.api("GET", "/checkpoints", { query: { page_size: 100, active: true } });
  const known = load(CHECKPOINTS, {});
  for (const c of checkpoints) {
    known[c.id] = { name: c.name, site_id: c.site_id, area_id: c.area_id, checklist: c.checklist };
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
      info = { name: c.name, site_id: c.site_id, area_id: c.area_id, checklist: c.checklist };
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

// --- helpers ---------------------------------------------------------------------------------

function el(tag, attributes = {}, text = "") {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== "") element.textContent = text;
  return element;
}

function button(text, className = "block", type = "button") {
  return el("button", { class: className, type }, text);
}

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
      figure.style.margin = "0";
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
  if (!rounds.length) list.append(el("p", { class: "muted" }, t("guard.no_rounds")));
  for (const r of rounds) {
    const card = el("a", { class: "card round", href: `#/round/${r.id}` });
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

async function renderScanner(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("guard.scanner_title")));
  const frame = el("div", { class: "scanner" });
  const video = el("video", { playsinline: "", muted: "", autoplay: "" });
  video.muted = true;
  frame.append(video);
  const error = el("p", { class: "error" });
  view.append(frame, el("p", { class: "muted small" }, t("guard.scanner_hint")), error);
  view.append(el("a", { class: "button block", href: "#/" }, t("app.back")));
  if (!navigator.mediaDevices?.getUserMedia) {
    error.textContent = t("guard.camera_failed", { message: "getUserMedia" });
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } },
      audio: false,
    });
  } catch (failure) {
    error.textContent = t("guard.camera_failed", { message: failure.message });
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
  const info = parsed ? await checkpointInfo(ctx, parsed.object_id) : null;
  const via = ["qr", "nfc", "manual"].includes(carrier) ? carrier : "qr";
  view.append(el("h1", {}, t("guard.form_title")));
  const name = info?.name || (parsed ? t("guard.checkpoint_n", { id: parsed.object_id }) : token);
  view.append(el("p", { class: "checkpoint-name" }, name));
  view.append(el("p", { class: "small muted" }, t(`guard.via.${via}`)));
  if (!SCANNERS.has(user.role)) {
    view.append(el("p", { class: "error" }, t("guard.bad_code")));
    return;
  }
  const form = el("form", { class: "scan-form", novalidate: "" });
  const needsPhoto = parsed ? load(PHOTO_POINTS, []).includes(parsed.object_id) : false;
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
  const submit = button(t("guard.submit"), "primary block", "submit");
  const bar = el("div", { class: "actions" });
  bar.append(error, submit);
  form.append(bar);
  view.append(form);

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
    const coords = position.value;
    const payload = {
      id: ctx.uuid(),
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
    const blobs = files.map((blob) => ({ blob, site_id: siteId, area_id: info?.area_id ?? null, place: name }));
    await ctx.outbox.enqueue("scan", payload, blobs);
    ctx.toast(t("guard.saved"));
    ctx.outbox.flush();
    ctx.navigate("guard");
  });
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
  form.append(el("label", { for: "anomaly-note" }, t("guard.describe")));
  const note = el("textarea", { id: "anomaly-note", maxlength: "1000" });
  form.append(note);
  const photos = photoPicker(ctx, false);
  form.append(photos.element);
  const submit = button(t("guard.submit_anomaly"), "primary block", "submit");
  form.append(submit);
  view.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const payload = {
      id: ctx.uuid(),
      site_id: siteId,
      category: select.value,
      note: note.value.trim().slice(0, 1000),
    };
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
    await ctx.outbox.enqueue("anomaly", payload, blobs);
    ctx.toast(t("guard.anomaly_saved"));
    ctx.outbox.flush();
    ctx.navigate("");
  });
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
