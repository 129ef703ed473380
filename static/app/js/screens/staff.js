// Staff (cleaners, gardeners, …): what an inspection asks of them. Their coaching items (a
// failed grooming or etiquette item with the standard's reason) to read and acknowledge, and the
// rectifications assigned to them, reported done with a photo of the fix. Every action shows
// the server's answer in place; nothing is said done before the server says so.
import { button, el, reason, wording } from "../dom.js";
import { t as translate } from "../i18n.js";

export const messages = {
  zh: {
    "staff.menu_coaching": "我的辅导事项",
    "staff.menu_rect": "我的整改任务",
    "staff.coaching_title": "我的辅导事项",
    "staff.coaching_none": "没有辅导事项。",
    "staff.coaching_open": "待确认（{n}）",
    "staff.coaching_done": "已确认",
    "staff.fault": "问题：{text}",
    "staff.impression": "为什么重要：{text}",
    "staff.found_at": "检查日期 {date}",
    "staff.ack": "我已阅读并明白",
    "staff.acked": "已确认 {time}",
    "staff.rect_title": "我的整改任务",
    "staff.rect_none": "没有分配给您的整改任务。",
    "staff.rect_todo": "待整改（{n}）",
    "staff.rect_waiting": "已报告完成，等待主管验证",
    "staff.rect_closed": "已验证",
    "staff.due": "期限 {time}",
    "staff.overdue": "已超期",
    "staff.status.open": "待整改",
    "staff.status.reopened": "被退回，需重新整改",
    "staff.status.done": "已报告完成",
    "staff.status.verified": "已验证",
    "staff.area": "地点：{area}",
    "staff.verify_note": "主管意见：{note}",
    "staff.photo": "拍照（整改后）",
    "staff.photo_needed": "请先拍一张整改后的照片。",
    "staff.photo_taken": "已拍 {n} 张",
    "staff.note": "说明（可选）",
    "staff.report_done": "报告已完成",
    "staff.sending": "正在发送…",
    "staff.reported": "已报告完成 {time}，等待主管验证。",
    "staff.refused": "未成功，服务器拒绝：",
    "staff.online_only": "没有网络：请到有信号的地方再报告（什么都没有发送）。",
    "staff.cached": "没有网络，无法加载。",
  },
  en: {
    "staff.menu_coaching": "My coaching items",
    "staff.menu_rect": "My rectifications",
    "staff.coaching_title": "My coaching items",
    "staff.coaching_none": "No coaching items.",
    "staff.coaching_open": "To acknowledge ({n})",
    "staff.coaching_done": "Acknowledged",
    "staff.fault": "Fault: {text}",
    "staff.impression": "Why it matters: {text}",
    "staff.found_at": "Inspected {date}",
    "staff.ack": "I have read and understood",
    "staff.acked": "Acknowledged {time}",
    "staff.rect_title": "My rectifications",
    "staff.rect_none": "No rectifications assigned to you.",
    "staff.rect_todo": "To put right ({n})",
    "staff.rect_waiting": "Reported done, waiting for the supervisor",
    "staff.rect_closed": "Verified",
    "staff.due": "Due {time}",
    "staff.overdue": "Overdue",
    "staff.status.open": "To do",
    "staff.status.reopened": "Sent back: put it right again",
    "staff.status.done": "Reported done",
    "staff.status.verified": "Verified",
    "staff.area": "Where: {area}",
    "staff.verify_note": "Supervisor: {note}",
    "staff.photo": "Take a photo (after the fix)",
    "staff.photo_needed": "Take a photo of the fix first.",
    "staff.photo_taken": "{n} taken",
    "staff.note": "Note (optional)",
    "staff.report_done": "Report done",
    "staff.sending": "Sending…",
    "staff.reported": "Reported done at {time}; waiting for the supervisor.",
    "staff.refused": "Not done, the server refused:",
    "staff.online_only": "No signal: report it where there is signal (nothing was sent).",
    "staff.cached": "No signal: cannot load.",
  },
};

// "2026-12-04T09:30:00+08:00" → "12-04 09:30" (the site's own time, as the server gives it).
function when(iso) {
  return iso ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : "";
}

// The server's refusal, said where the action was.
function refusal(ctx, box, error) {
  const text = reason(error);
  if (error.status === 0) {
    box.replaceChildren(el("p", { class: "error", role: "alert" }, ctx.t("staff.online_only")));
  } else {
    box.replaceChildren(
      el("p", { class: "error", role: "alert" }, ctx.t("staff.refused")),
      el("p", { class: "error server-message" }, text),
    );
  }
}

async function fetchAll(ctx, path, query = {}) {
  const all = [];
  for (let page = 1; page <= 20; page += 1) {
    const rows = await ctx.api("GET", path, { query: { ...query, page, page_size: 100 } });
    all.push(...rows);
    if (rows.length < 100) break;
  }
  return all;
}

async function loadOrSay(view, ctx, work) {
  try {
    return await work();
  } catch (error) {
    if (error.status !== 0) throw error;
    view.append(el("p", { class: "error" }, ctx.t("staff.cached")));
    return null;
  }
}

// --- coaching ---------------------------------------------------------------------------------

function coachingCard(ctx, item) {
  const { t } = ctx;
  const card = el("article", { class: "card coaching", "data-coaching": String(item.id) });
  card.append(el("h3", {}, wording(ctx, item, "requirement")));
  const fault = wording(ctx, item, "fault");
  if (fault) card.append(el("p", {}, t("staff.fault", { text: fault })));
  const impression = wording(ctx, item, "impression");
  if (impression) card.append(el("p", { class: "impression" }, t("staff.impression", { text: impression })));
  card.append(el("p", { class: "small muted" }, t("staff.found_at", { date: (item.created_at || "").slice(0, 10) })));
  const answer = el("div", { class: "answer", role: "status" });
  if (item.acknowledged_at) {
    answer.append(el("p", { class: "ok acked" }, t("staff.acked", { time: when(item.acknowledged_at) })));
    card.append(answer);
    return card;
  }
  const ack = button(t("staff.ack"), "primary block ack");
  ack.addEventListener("click", async () => {
    ack.disabled = true;
    answer.replaceChildren(el("p", { class: "muted" }, t("staff.sending")));
    try {
      const stored = await ctx.api("POST", `/coaching/${item.id}/acknowledge`);
      ack.remove();
      answer.replaceChildren(el("p", { class: "ok acked" }, t("staff.acked", { time: when(stored.acknowledged_at) })));
    } catch (error) {
      ack.disabled = false;
      refusal(ctx, answer, error);
    }
  });
  card.append(ack, answer);
  return card;
}

async function renderCoaching(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("staff.coaching_title")));
  const items = await loadOrSay(view, ctx, () => fetchAll(ctx, "/coaching"));
  if (items) {
    const open = items.filter((i) => !i.acknowledged_at);
    const done = items.filter((i) => i.acknowledged_at);
    if (!items.length) view.append(el("p", { class: "muted" }, t("staff.coaching_none")));
    if (open.length) {
      const section = el("section", { id: "coaching-open" });
      section.append(el("h2", {}, t("staff.coaching_open", { n: open.length })));
      for (const item of open) section.append(coachingCard(ctx, item));
      view.append(section);
    }
    if (done.length) {
      const section = el("section", { id: "coaching-done" });
      section.append(el("h2", {}, t("staff.coaching_done")));
      for (const item of done.slice(0, 30)) section.append(coachingCard(ctx, item));
      view.append(section);
    }
  }
  view.append(el("a", { class: "button block back", href: "#/" }, t("app.back")));
}

// --- rectifications ---------------------------------------------------------------------------

async function areaNames(ctx) {
  try {
    const areas = await fetchAll(ctx, "/areas");
    return new Map(areas.map((a) => [a.id, a.name]));
  } catch {
    return new Map();
  }
}

function rectificationCard(ctx, row, areas) {
  const { t } = ctx;
  const card = el("article", { class: "card rectification", "data-rectification": String(row.id) });
  card.append(el("h3", {}, wording(ctx, row, "requirement")));
  const fault = wording(ctx, row, "fault");
  if (fault) card.append(el("p", {}, t("staff.fault", { text: fault })));
  card.append(el("p", {}, t("staff.area", { area: areas.get(row.area_id) || `#${row.area_id}` })));
  const line = el("p", { class: "small" });
  const badge = el("span", { class: "badge status" }, t(`staff.status.${row.status}`));
  if (row.status === "reopened") badge.classList.add("bad");
  line.append(badge, document.createTextNode(` ${t("staff.due", { time: when(row.due_at) })} `));
  if (row.overdue) line.append(el("span", { class: "badge bad" }, t("staff.overdue")));
  card.append(line);
  if (row.verify_note) card.append(el("p", { class: "small" }, t("staff.verify_note", { note: row.verify_note })));
  const answer = el("div", { class: "answer", role: "status" });
  if (!["open", "reopened"].includes(row.status)) {
    card.append(answer);
    return card;
  }
  const form = el("form", { class: "done-form", novalidate: "" });
  const files = [];
  const input = ctx.photoInput();
  input.hidden = true;
  input.className = "photo-input";
  const previews = el("div", { class: "photos" });
  const take = button(t("staff.photo"), "block take-photo");
  take.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    for (const file of input.files) {
      if (files.length >= 10) break;
      files.push(file);
      const image = el("img", { alt: t("staff.photo_taken", { n: files.length }) });
      image.src = URL.createObjectURL(file);
      previews.append(image);
    }
    input.value = "";
    answer.replaceChildren();
  });
  const noteId = `done-note-${row.id}`;
  const note = el("textarea", { id: noteId, maxlength: "500", rows: "2" });
  const submit = button(t("staff.report_done"), "primary block", "submit");
  form.append(previews, take, input, el("label", { for: noteId }, t("staff.note")), note, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!files.length) {
      answer.replaceChildren(el("p", { class: "error", role: "alert" }, t("staff.photo_needed")));
      return;
    }
    submit.disabled = take.disabled = true;
    answer.replaceChildren(el("p", { class: "muted" }, t("staff.sending")));
    try {
      const photoIds = [];
      for (const file of files) {
        const upload = new FormData();
        upload.append("id", ctx.uuid());
        upload.append("site_id", String(row.site_id));
        upload.append("area_id", String(row.area_id));
        upload.append("device_id", ctx.deviceId());
        upload.append("file", file, file.name || "photo.jpg");
        photoIds.push((await ctx.api("POST", "/photos", { form: upload })).id);
      }
      const stored = await ctx.api("POST", `/rectifications/${row.id}/done`, {
        json: { note: note.value.trim().slice(0, 500), photo_ids: photoIds },
      });
      form.remove();
      badge.textContent = t(`staff.status.${stored.status}`);
      badge.classList.remove("bad");
      answer.replaceChildren(el("p", { class: "ok reported" }, t("staff.reported", { time: when(stored.done_at) })));
    } catch (error) {
      submit.disabled = take.disabled = false;
      refusal(ctx, answer, error);
    }
  });
  card.append(form, answer);
  return card;
}

async function renderRectifications(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("staff.rect_title")));
  const rows = await loadOrSay(view, ctx, () => fetchAll(ctx, "/rectifications"));
  if (rows) {
    const areas = await areaNames(ctx);
    const todo = rows.filter((r) => ["open", "reopened"].includes(r.status));
    const waiting = rows.filter((r) => r.status === "done");
    const closed = rows.filter((r) => r.status === "verified");
    if (!rows.length) view.append(el("p", { class: "muted" }, t("staff.rect_none")));
    const sections = [
      ["rect-todo", t("staff.rect_todo", { n: todo.length }), todo],
      ["rect-waiting", t("staff.rect_waiting"), waiting],
      ["rect-closed", t("staff.rect_closed"), closed.slice(0, 20)],
    ];
    for (const [id, title, list] of sections) {
      if (!list.length) continue;
      const section = el("section", { id });
      section.append(el("h2", {}, title));
      for (const row of list) section.append(rectificationCard(ctx, row, areas));
      view.append(section);
    }
  }
  view.append(el("a", { class: "button block back", href: "#/" }, t("app.back")));
}

export const routes = {
  coaching: renderCoaching,
  "my-rectifications": renderRectifications,
};

export function menu(user) {
  if (user.role !== "staff") return [];
  return [
    { route: "coaching", label: translate("staff.menu_coaching") },
    { route: "my-rectifications", label: translate("staff.menu_rect") },
  ];
}
