// The supervisor's follow-ups: rectifications 整改 to verify and anomalies 异常 reported on rounds,
// each open one with its promise's clock (GET /followups per site: state and deadlines).

import { errorText, flaggedPhoto, h, list, screen, shortTime, wording } from "../dom.js";
import { clockLine } from "./handover.js";

// The clocks of the open follow-ups of my sites, by "type-id"; none when they cannot be read
// (the lists say why they cannot load; a missing clock only leaves its line out).
async function clocks(ctx) {
  const found = new Map();
  try {
    const mine = ctx.session()?.user?.site_ids;
    const ids = mine?.length ? mine : (await list(ctx, "/sites")).map((site) => site.id);
    const answers = await Promise.allSettled(
      ids.map((id) => ctx.api("GET", "/followups", { query: { site_id: id } })),
    );
    for (const answer of answers) {
      if (answer.status !== "fulfilled") continue;
      for (const f of answer.value) found.set(`${f.type}-${f.id}`, f);
    }
  } catch {
    // no signal, or no sites: the cards show without their clocks
  }
  return found;
}

// The clock's lines of an open follow-up, or null (none, or a fix reported and waiting).
function clockOf(ctx, found, type, id) {
  const f = found.get(`${type}-${id}`);
  return f && f.state !== "none" ? h("div", { class: "sv-clock-line" }, clockLine(ctx, f)) : null;
}

// ---------------------------------------------------------------- rectifications to verify

async function renderRectifications(view, _params, ctx) {
  const wrap = screen(view, ctx.t("sv.rect.title"));
  const done = h("div", { id: "sv-rect-done" }, ctx.t("sv.loading"));
  const open = h("div", { id: "sv-rect-open" });
  wrap.append(done, h("h2", {}, ctx.t("sv.rect.open")), open);
  try {
    const [toVerify, stillOpen, reopened, areas, sites, found] = await Promise.all([
      list(ctx, "/rectifications", { status: "done" }),
      list(ctx, "/rectifications", { status: "open" }),
      list(ctx, "/rectifications", { status: "reopened" }),
      list(ctx, "/areas"),
      list(ctx, "/sites"),
      clocks(ctx),
    ]);
    const siteOf = Object.fromEntries(sites.map((site) => [site.id, site.name]));
    // "site · area": the same lobby exists at several sites.
    const areaNames = Object.fromEntries(
      areas.map((a) => [a.id, siteOf[a.site_id] ? `${siteOf[a.site_id]} · ${a.name}` : a.name]),
    );
    done.replaceChildren(
      ...(toVerify.length
        ? toVerify.map((r) => rectificationCard(ctx, r, areaNames, true, found))
        : [h("p", { class: "sv-muted" }, ctx.t("sv.rect.none"))]),
    );
    const pending = [...reopened, ...stillOpen];
    open.replaceChildren(
      ...(pending.length
        ? pending.map((r) => rectificationCard(ctx, r, areaNames, false, found))
        : [h("p", { class: "sv-muted" }, ctx.t("sv.rect.none_open"))]),
    );
  } catch (err) {
    done.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
  }
}

function rectificationCard(ctx, r, areaNames, verifiable, found) {
  const clock = clockOf(ctx, found, "rectification", r.id);
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
    // On its clock: the state and deadline; else (a fix reported) the due time it had.
    clock ||
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
    const [openRows, resolvedRows, found] = await Promise.all([
      list(ctx, "/anomalies", { status: "open" }),
      list(ctx, "/anomalies", { status: "resolved" }),
      clocks(ctx),
    ]);
    const fill = (el, rows) =>
      el.replaceChildren(
        ...(rows.length
          ? rows.map((a) => anomalyCard(ctx, a, found))
          : [h("p", { class: "sv-muted" }, ctx.t("sv.anom.none"))]),
      );
    fill(open, openRows);
    fill(resolved, resolvedRows);
  } catch (err) {
    open.replaceChildren(h("p", { class: "sv-error" }, errorText(ctx, err)));
  }
}

function anomalyCard(ctx, a, found) {
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
    a.status === "open" ? clockOf(ctx, found, "anomaly", a.id) : null,
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
  rectifications: renderRectifications,
  anomalies: renderAnomalies,
};
