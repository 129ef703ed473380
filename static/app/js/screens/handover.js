// Shift hand-over 交接班 (issue 20.5): the outgoing guard or supervisor chooses the post and
// starts the hand-over; the server lists every open matter of the post — each open follow-up on
// its promise's clock, the checkpoints missed this past shift, the rounds overdue now — and the
// incoming one, on their own phone, reads it and takes over (确认接班). Everything shown is the
// server's answer; refusals are said where they happened. Online only: a hand-over lists what is
// open now, so one kept on the phone for later would list stale matters.
import { errorText, h, list, reason, shortTime } from "../dom.js";
import { t as translate } from "../i18n.js";

export const messages = {
  zh: {
    "ho.menu": "交接班",
    "ho.title": "交接班",
    "ho.hint": "交班时选择岗位，点「开始交接」：系统列出本岗位所有未办结事项。接班人在自己的手机上打开本页，阅读后点「确认接班」。",
    "ho.post": "岗位",
    "ho.no_posts": "您的项目没有岗位，无法交接班。",
    "ho.whole_site": "全项目",
    "ho.form_title": "我要交班",
    "ho.note": "交班说明（可选）",
    "ho.start": "开始交接",
    "ho.starting": "正在生成交接单…",
    "ho.started": "交接单已生成。请接班人在自己的手机上确认接班。",
    "ho.start_refused": "未能开始交接：",
    "ho.mine": "本次交接（我交班）",
    "ho.waiting": "等待确认的交接",
    "ho.waiting_none": "此岗位没有等待确认的交接。",
    "ho.handed_at": "{time} 交班",
    "ho.by_me": "我交班，等待接班人确认",
    "ho.note_was": "交班说明：{note}",
    "ho.followups": "未办结事项（{n}）",
    "ho.followups_none": "没有未办结的事项。",
    "ho.missed": "上一班漏巡的巡更点（{n}）",
    "ho.overdue": "已超时未完成的巡更（{n}）",
    "ho.round_at": "{time} 开始的巡更",
    "ho.anomalies": "未处理的异常（{n}）",
    "ho.checkpoint_n": "巡更点 #{id}",
    "ho.ack": "确认接班",
    "ho.acking": "正在确认…",
    "ho.acked": "已确认接班（{time}）。",
    "ho.ack_refused": "未能确认接班：",
    "ho.offline": "没有信号，未能发送；有信号后再点一次。",
    "ho.respond_due": "响应截止 {time}",
    "ho.resolve_due": "办结截止 {time}",
    "ho.owner": "负责人：{name}",
    "ho.nobody": "未指派负责人",
    "ho.escalated": "已通知：{who}",
    "ho.state.late": "已超时",
    "ho.state.unanswered": "待响应",
    "ho.state.running": "计时中",
    "ho.state.none": "无时限",
    "ho.kind.anomaly_urgent": "紧急异常",
    "ho.kind.anomaly_ordinary": "一般异常",
    "ho.kind.complaint": "投诉",
    "ho.kind.rectification": "整改",
    "ho.type.anomaly": "异常",
    "ho.type.rectification": "整改",
    "ho.to.owner": "负责人",
    "ho.to.supervisor": "主管",
    "ho.to.manager": "管理处经理",
  },
  en: {
    "ho.menu": "Shift hand-over",
    "ho.title": "Shift hand-over",
    "ho.hint": "At the end of your shift choose the post and tap “Start the hand-over”: every open matter of the post is listed. The incoming one opens this page on their own phone, reads it and taps “Take over”.",
    "ho.post": "Post",
    "ho.no_posts": "Your sites have no posts to hand over.",
    "ho.whole_site": "whole site",
    "ho.form_title": "Hand over my shift",
    "ho.note": "Note for the incoming shift (optional)",
    "ho.start": "Start the hand-over",
    "ho.starting": "Listing the open matters…",
    "ho.started": "The hand-over is listed. The incoming one takes over on their own phone.",
    "ho.start_refused": "The hand-over could not start:",
    "ho.mine": "My hand-over",
    "ho.waiting": "Hand-overs to take over",
    "ho.waiting_none": "Nothing waits to be taken over at this post.",
    "ho.handed_at": "Handed over {time}",
    "ho.by_me": "Handed over by me; the incoming one confirms",
    "ho.note_was": "Note: {note}",
    "ho.followups": "Open follow-ups ({n})",
    "ho.followups_none": "No open follow-ups.",
    "ho.missed": "Checkpoints missed last shift ({n})",
    "ho.overdue": "Rounds overdue ({n})",
    "ho.round_at": "Round starting {time}",
    "ho.anomalies": "Open anomalies ({n})",
    "ho.checkpoint_n": "Checkpoint #{id}",
    "ho.ack": "Take over",
    "ho.acking": "Confirming…",
    "ho.acked": "Taken over ({time}).",
    "ho.ack_refused": "Could not take over:",
    "ho.offline": "No signal: nothing was sent; tap again when there is signal.",
    "ho.respond_due": "Answer by {time}",
    "ho.resolve_due": "Resolve by {time}",
    "ho.owner": "Owner: {name}",
    "ho.nobody": "Nobody owns it yet",
    "ho.escalated": "Told: {who}",
    "ho.state.late": "Late",
    "ho.state.unanswered": "Unanswered",
    "ho.state.running": "Running",
    "ho.state.none": "No clock",
    "ho.kind.anomaly_urgent": "Urgent anomaly",
    "ho.kind.anomaly_ordinary": "Ordinary anomaly",
    "ho.kind.complaint": "Complaint",
    "ho.kind.rectification": "Rectification",
    "ho.type.anomaly": "Anomaly",
    "ho.type.rectification": "Rectification",
    "ho.to.owner": "Owner",
    "ho.to.supervisor": "Supervisor",
    "ho.to.manager": "Site manager",
  },
};

const USERS = new Set(["guard", "supervisor"]);
const POST_KEY = "xj.handover.post";
const STATE_BADGE = { late: "badge bad", unanswered: "badge warn", running: "badge", none: "badge muted" };

// --- a follow-up on its clock (also used by the supervisor's follow-ups, followups.js) ---------

/**
 * A time as the server gave it, "MM-DD HH:MM": a site-zone ISO string as it stands (the site's
 * wall clock); a UTC one ("…Z", what a hand-over stores) at this phone's clock.
 */
export function when(iso) {
  if (!iso) return "";
  if (!/Z$/.test(iso)) return shortTime(iso).slice(5);
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** What a follow-up is about: a category's name for an anomaly reported without a note. */
function what(ctx, f) {
  const named = ctx.t(`cat.${f.what}`);
  return named === `cat.${f.what}` ? f.what : named;
}

/** The clock's line: state badge, kind, both deadlines (the passed one marked), who was told. */
export function clockLine(ctx, f) {
  const { t } = ctx;
  const late = (iso) => f.state !== "none" && iso && new Date(iso) <= new Date();
  const kind = t(`ho.kind.${f.kind}`);
  const line = h(
    "div",
    { class: "clock", "data-state": f.state },
    h(
      "span",
      { class: STATE_BADGE[f.state] || "badge muted", "data-badge": f.state },
      t(`ho.state.${f.state}`),
    ),
    h("span", { class: "small muted" }, kind === `ho.kind.${f.kind}` ? t(`ho.type.${f.type}`) : kind),
    f.respond_due_at
      ? h(
          "span",
          { class: late(f.respond_due_at) && f.state === "unanswered" ? "due late" : "due" },
          t("ho.respond_due", { time: when(f.respond_due_at) }),
        )
      : null,
    f.resolve_due_at
      ? h(
          "span",
          { class: late(f.resolve_due_at) ? "due late" : "due" },
          t("ho.resolve_due", { time: when(f.resolve_due_at) }),
        )
      : null,
  );
  const told = (f.escalated_to || []).map((to) => t(`ho.to.${to}`)).join("、");
  return told ? [line, h("p", { class: "small warn escalated" }, t("ho.escalated", { who: told }))] : [line];
}

function followupItem(ctx, f) {
  const { t } = ctx;
  return h(
    "li",
    { "data-followup": `${f.type}-${f.id}`, "data-state": f.state },
    h(
      "p",
      { class: "what" },
      what(ctx, f),
      f.area ? h("span", { class: "small muted" }, ` · ${f.area}`) : null,
    ),
    ...clockLine(ctx, f),
    h("p", { class: "small muted" }, f.owner ? t("ho.owner", { name: f.owner }) : t("ho.nobody")),
  );
}

// --- a hand-over as the server gave it ------------------------------------------------------

function section(title, items, render) {
  if (!items.length) return null;
  return [h("h4", {}, title), h("ul", { class: "plain" }, items.map(render))];
}

function handoverCard(ctx, handover, { postName, mine }) {
  const { t } = ctx;
  const followups = handover.open_followups;
  const card = h(
    "article",
    {
      class: "card handover",
      "data-handover": handover.id,
      "data-acknowledged": String(!!handover.acknowledged_at),
    },
    h(
      "h3",
      {},
      t("ho.handed_at", { time: when(handover.created_at) }),
      h("span", { class: "small muted" }, ` · ${postName}`),
    ),
    mine ? h("p", { class: "small muted" }, t("ho.by_me")) : null,
    handover.note ? h("p", {}, t("ho.note_was", { note: handover.note })) : null,
    h("h4", {}, t("ho.followups", { n: (followups || []).length })),
  );
  if (followups && followups.length) {
    card.append(h("ul", { class: "followups" }, followups.map((f) => followupItem(ctx, f))));
  } else if (followups) {
    card.append(h("p", { class: "muted" }, t("ho.followups_none")));
  }
  // A hand-over made before follow-ups had clocks lists its open anomalies only.
  const anomalies = followups ? [] : handover.open_anomalies || [];
  const missed = handover.missed_checkpoints || [];
  const overdue = handover.overdue_rounds || [];
  for (const part of [
    section(t("ho.anomalies", { n: anomalies.length }), anomalies, (a) =>
      h("li", {}, `${ctx.t(`cat.${a.category}`)}${a.note ? ` · ${a.note}` : ""} · ${when(a.reported_at)}`),
    ),
    section(t("ho.missed", { n: missed.length }), missed, (m) =>
      h("li", { "data-checkpoint": m.checkpoint_id }, m.name || t("ho.checkpoint_n", { id: m.checkpoint_id })),
    ),
    section(t("ho.overdue", { n: overdue.length }), overdue, (r) =>
      h("li", { "data-round": r.round_id }, t("ho.round_at", { time: when(r.starts_at) })),
    ),
  ]) {
    if (part) card.append(...part);
  }
  if (!mine && !handover.acknowledged_at) card.append(...acknowledgeControls(ctx, handover));
  return card;
}

// A refusal where it happened: "未能…：" and the server's reason (no signal: nothing was sent).
function said(ctx, key, err) {
  const why = err?.status === 0 ? ctx.t("ho.offline") : reason(err);
  return `${ctx.t(key)}${ctx.lang() === "en" ? " " : ""}${why}`;
}

function acknowledgeControls(ctx, handover) {
  const { t } = ctx;
  const error = h("p", { class: "error", role: "alert" });
  const status = h("p", { class: "ok", role: "status" });
  const take = h("button", { type: "button", class: "primary block ack" }, t("ho.ack"));
  take.addEventListener("click", async () => {
    take.disabled = true;
    error.textContent = "";
    status.textContent = t("ho.acking");
    try {
      const answer = await ctx.api("POST", `/handovers/${handover.id}/acknowledge`);
      status.textContent = t("ho.acked", { time: when(answer.acknowledged_at) });
      take.closest(".handover")?.setAttribute("data-acknowledged", "true");
      take.remove();
    } catch (err) {
      status.textContent = "";
      error.textContent = said(ctx, "ho.ack_refused", err);
      // Taken over already (or one's own): tapping again cannot help, so the button goes.
      if (err?.status === 409) take.remove();
      else take.disabled = false;
    }
  });
  return [error, status, take];
}

// --- the screen --------------------------------------------------------------------------------

async function renderHandover(view, [postParam], ctx) {
  const { t } = ctx;
  const user = ctx.session().user;
  view.append(h("h1", {}, t("ho.title")), h("p", { class: "small muted" }, t("ho.hint")));
  const loading = h("p", { class: "muted" }, t("app.loading"));
  view.append(loading);
  let posts;
  let sites = [];
  try {
    [posts, sites] = await Promise.all([
      list(ctx, "/posts", { active: true }),
      list(ctx, "/sites").catch(() => []),
    ]);
  } catch (err) {
    loading.replaceWith(h("p", { class: "error", role: "alert" }, errorText(ctx, err)));
    return;
  }
  loading.remove();
  if (!posts.length) {
    view.append(h("p", { class: "muted" }, t("ho.no_posts")));
    return;
  }
  const siteName = Object.fromEntries(sites.map((s) => [s.id, s.name]));
  const several = new Set(posts.map((p) => p.site_id)).size > 1;
  const postName = (p) => (several && siteName[p.site_id] ? `${siteName[p.site_id]} · ${p.name}` : p.name);
  const wanted = Number(postParam || localStorage.getItem(POST_KEY));
  const select = h("select", { id: "handover-post" });
  for (const p of posts) select.append(h("option", { value: p.id }, postName(p)));
  if (posts.some((p) => p.id === wanted)) select.value = String(wanted);

  const note = h("textarea", { id: "handover-note", maxlength: "1000", rows: "2" });
  const startError = h("p", { class: "error", role: "alert" });
  const startStatus = h("p", { class: "ok", role: "status", id: "handover-status" });
  const start = h("button", { type: "submit", class: "primary block", id: "handover-start" }, t("ho.start"));
  // The post first; then what waits to be taken over there (the incoming one's task), then
  // handing over (the outgoing one's) with the answer under it.
  const form = h(
    "form",
    { class: "card handover-form", novalidate: true },
    h("h2", {}, t("ho.form_title")),
    h("label", { for: "handover-note" }, t("ho.note")),
    note,
    startError,
    start,
  );
  const mine = h("section", { id: "handover-mine" });
  const waiting = h("section", { id: "handover-waiting" });
  view.append(
    h("label", { for: "handover-post" }, t("ho.post")),
    select,
    waiting,
    form,
    startStatus,
    mine,
    h("a", { class: "button block", href: "#/" }, t("app.back")),
  );
  let shownMine = null; // the hand-over just made, shown under the form (not twice)

  const chosen = () => posts.find((p) => p.id === Number(select.value));
  let counter = 0;
  async function loadWaiting() {
    const number = ++counter;
    const post = chosen();
    waiting.replaceChildren(h("h2", {}, t("ho.waiting")), h("p", { class: "muted" }, t("app.loading")));
    try {
      const rows = await list(ctx, "/handovers", { post_id: post.id, acknowledged: false });
      if (number !== counter) return;
      const others = rows.filter((row) => row.id !== shownMine);
      const cards = others.map((row) =>
        handoverCard(ctx, row, { postName: postName(post), mine: row.outgoing_id === user.id }),
      );
      waiting.replaceChildren(
        h("h2", {}, t("ho.waiting")),
        ...(cards.length ? cards : [h("p", { class: "muted", id: "handover-none" }, t("ho.waiting_none"))]),
      );
    } catch (err) {
      if (number !== counter) return;
      const error = h("p", { class: "error", role: "alert" }, errorText(ctx, err));
      waiting.replaceChildren(h("h2", {}, t("ho.waiting")), error);
    }
  }

  select.addEventListener("change", () => {
    localStorage.setItem(POST_KEY, select.value);
    mine.replaceChildren();
    form.hidden = false;
    shownMine = null;
    startError.textContent = "";
    startStatus.textContent = "";
    loadWaiting();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const post = chosen();
    start.disabled = true;
    startError.textContent = "";
    startStatus.textContent = t("ho.starting");
    try {
      const answer = await ctx.api("POST", "/handovers", {
        json: { post_id: post.id, note: note.value.trim().slice(0, 1000) },
      });
      localStorage.setItem(POST_KEY, String(post.id));
      startStatus.textContent = t("ho.started");
      note.value = "";
      shownMine = answer.id;
      form.hidden = true; // made once; another post (or the page again) for another one
      mine.replaceChildren(
        h("h2", {}, t("ho.mine")),
        handoverCard(ctx, answer, { postName: postName(post), mine: true }),
      );
      startStatus.scrollIntoView({ block: "start" });
      await loadWaiting();
    } catch (err) {
      startStatus.textContent = "";
      startError.textContent = said(ctx, "ho.start_refused", err);
    } finally {
      start.disabled = false;
    }
  });
  await loadWaiting();
}

export const routes = { handover: renderHandover };

export function menu(user) {
  return USERS.has(user?.role) ? [{ route: "handover", label: translate("ho.menu") }] : [];
}
