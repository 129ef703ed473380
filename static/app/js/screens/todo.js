// The supervisor's to-do 今日待检: what the inspection plan of each of my sites asks for today and
// this week (GET /api/plans/todo, overdue first). One tap opens the right checklist for that area
// or person; an item goes as soon as its inspection is submitted, or queued on this phone.

import { backButton, errorText, h, list, screen } from "../dom.js";

/** The inspections waiting in this phone's outbox: "area-3-cleaning-lobby" keys. */
async function queuedKeys(ctx) {
  try {
    const items = await ctx.outbox.pendingItems();
    return new Set(
      items
        .filter((i) => i.kind === "inspection" && i.payload)
        .map((i) => {
          const p = i.payload;
          const subject = p.staff_id ? "staff" : "area";
          return `${subject}-${p.staff_id || p.area_id}-${p.checklist}`;
        }),
    );
  } catch {
    return new Set();
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
  let names = {};
  try {
    const [todo, sites] = await Promise.all([
      ctx.api("GET", "/plans/todo"),
      list(ctx, "/sites", { active: true }).catch(() => []),
    ]);
    rows = todo;
    names = Object.fromEntries(sites.map((s) => [s.id, s.name]));
  } catch (err) {
    box.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
    return;
  }
  const queued = await queuedKeys(ctx);
  const open = rows.filter((r) => !queued.has(keyOf(r)));
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
