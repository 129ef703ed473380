// The supervisor's inspection 检查: pick a staff member or an area, the checklists that apply,
// the form (kept on the phone and queued in the outbox without signal), and the server's result.
// The server scores every inspection; nothing here adds up points.

import {
  backButton,
  errorText,
  flaggedPhoto,
  h,
  language,
  list,
  put,
  reason,
  screen,
  shortTime,
  wording,
} from "../dom.js";
import { localIso, uuid } from "../session.js";

/** The roles that inspect (the menu entry and the result's "inspect again"). */
export const INSPECTORS = ["admin", "supervisor", "manager"];

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

/** No signal (ApiError status 0) or a server fault: worth sending the same body again. */
function isOffline(err) {
  return !err || !err.status || err.status >= 500 || err.status === 408 || err.status === 429;
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

export const routes = {
  inspect: renderPick,
  checklists: renderChecklists,
  "inspect-form": renderForm,
  inspection: renderInspection,
};
