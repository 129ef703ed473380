// The supervisor's to-do 今日待检: what the inspection plan of each of my sites asks for today and
// this week (GET /api/plans/todo, overdue first). One tap opens the right checklist for that area
// or person; an item goes as soon as its inspection is submitted, or queued on this phone.

import { backButton, errorText, h, list, screen } from "../dom.js";

/** The inspections waiting in this phone's outbox, counted per "area-3-cleaning-lobby" key. */
async function queuedKeys(ctx) {
  const counts = new Map();
  try {
    for (const i of await ctx.outbox.pendingItems()) {
      if (i.kind !== "inspection" || !i.payload) continue;
      const p = i.payload;
      const key = `${p.staff_id ? "staff" : "area"}-${p.staff_id || p.area_id}-${p.checklist}`;
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  } catch {
    // No outbox to read: nothing is taken off.
  }
  return counts;
}

// The last to-do fetched is kept per account, so that without signal the list still opens (the
// checklists themselves are kept by the inspect screen) and an inspection queued on the phone
// still takes its item off.
const KEPT = "xj.sv.todo";

function keptKey(ctx) {
  const user = (ctx.session() || {}).user || {};
  return `${KEPT}.${user.id ?? "anon"}`;
}

async function fetchTodo(ctx) {
  try {
    const rows = await ctx.api("GET", "/plans/todo");
    try {
      localStorage.setItem(keptKey(ctx), JSON.stringify({ at: Date.now(), rows }));
    } catch {
      // A full storage only costs the offline copy.
    }
    return { rows, at: null };
  } catch (err) {
    if (!err || err.status !== 0) throw err;
    const kept = JSON.parse(localStorage.getItem(keptKey(ctx)) || "null");
    if (!kept) throw err;
    return { rows: kept.rows, at: kept.at };
  }
}

function keyOf(row) {
  return `${row.subject.kind}-${row.subject.id}-${row.checklist}`;
}

function whenText(ctx, row, today) {
  if (row.overdue) return ctx.t("sv.todo.overdue", { date: row.due.slice(5) });
  if (row.due === today) return ctx.t("sv.todo.today");
  return ctx.t("sv.todo.by", { date: row.due.slice(5) });
}

function localDay() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

async function renderTodo(view, _params, ctx) {
  const wrap = screen(view, ctx.t("sv.todo.title"));
  wrap.prepend(backButton(ctx, ctx.t("sv.back"), ""));
  const box = h("div", { id: "sv-todo", "aria-live": "polite" }, h("p", {}, ctx.t("sv.loading")));
  wrap.append(h("p", { class: "sv-muted small" }, ctx.t("sv.todo.hint")), box);
  let rows;
  let keptAt = null;
  let names = {};
  try {
    const [todo, sites] = await Promise.all([
      fetchTodo(ctx),
      list(ctx, "/sites", { active: true }).catch(() => []),
    ]);
    rows = todo.rows;
    keptAt = todo.at;
    names = Object.fromEntries(sites.map((s) => [s.id, s.name]));
  } catch (err) {
    box.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
    return;
  }
  if (keptAt) {
    const time = new Date(keptAt).toTimeString().slice(0, 5);
    wrap.insertBefore(h("p", { class: "sv-offline", id: "sv-todo-kept" }, ctx.t("sv.todo.kept", { time })), box);
  }
  const queued = await queuedKeys(ctx);
  // An inspection waiting on this phone counts already: its item goes, or has one check less.
  const open = rows
    .map((r) => ({ ...r, remaining: r.remaining - (queued.get(keyOf(r)) || 0) }))
    .filter((r) => r.remaining > 0);
  const today = localDay();
  const several = new Set(open.map((r) => r.site_id)).size > 1;
  const item = (row) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          class: "sv-row",
          "data-todo": keyOf(row),
          onclick: () => ctx.navigate("inspect-form", row.subject.kind, row.subject.id, row.checklist),
        },
        row.overdue ? h("span", { class: "sv-badge" }, ctx.t("sv.todo.late")) : null,
        h("strong", {}, row.subject.name),
        h("span", { class: "sv-muted" }, ` · ${ctx.t(`sv.todo.kind.${row.kind}`)}`),
        several && names[row.site_id] ? h("span", { class: "sv-site" }, names[row.site_id]) : null,
        h("br"),
        h("span", { class: row.overdue ? "sv-error" : "sv-muted" }, whenText(ctx, row, today)),
        row.remaining > 1
          ? h("span", { class: "sv-muted" }, ` · ${ctx.t("sv.todo.remaining", { n: row.remaining })}`)
          : null,
      ),
    );
  const groups = [
    ["sv.todo.group.overdue", open.filter((r) => r.overdue)],
    ["sv.todo.group.today", open.filter((r) => !r.overdue && r.due <= today)],
    ["sv.todo.group.week", open.filter((r) => !r.overdue && r.due > today)],
  ].filter(([, members]) => members.length);
  if (!groups.length) {
    box.replaceChildren(h("p", { class: "sv-ok", id: "sv-todo-none" }, ctx.t("sv.todo.none")));
    return;
  }
  box.replaceChildren(
    ...groups.flatMap(([title, members]) => [
      h("h2", {}, `${ctx.t(title)} · ${members.length}`),
      h("ul", { class: "sv-list" }, members.map(item)),
    ]),
  );
}

export const routes = { todo: renderTodo };
