// Follow-up promises 服务时限: how soon each kind of follow-up is answered and dealt with at a
// site (the company's file, with the site's own times marked), who hears when a promise breaks,
// and the site's open follow-ups on their clocks. Admins and supervisors give a site its own
// time for a clock, or put the company's back; each form says the server's answer beside it
// and the table reloads from the server.
import { session } from "/app/js/session.js";
import {
  actionButton,
  answerBox,
  api,
  field,
  h,
  lang,
  localTime,
  mySites,
  onSubmit,
  reason,
  select,
  sitePicker,
  t,
  table,
} from "../ui.js";

const VIEWERS = new Set(["admin", "hr", "supervisor", "manager"]);
const EDITORS = new Set(["admin", "supervisor"]);
const UNITS = ["minutes", "hours", "working_hours", "working_days"];
const STATE_CLASS = { late: "error", unanswered: "warn", running: "ok", none: "muted" };

export const messages = {
  zh: {
    "fu.nav": "服务时限",
    "fu.title": "服务时限",
    "fu.intro":
      "每类跟进事项多久内响应、多久内办结，超时后依次通知谁（公司标准来自作业指导书；本项目可设自己的时限）。工作小时、工作日按本项目的工作时间和工作日历计算。",
    "fu.no_sites": "您没有可查看的项目。",
    "fu.failed": "读取失败：{message}",
    "fu.promises": "服务时限 / Promises",
    "fu.promises_caption": "{site} 的服务时限（工作时间 {hours}）",
    "fu.col_kind": "类别",
    "fu.col_respond": "响应时限",
    "fu.col_resolve": "办结时限",
    "fu.col_escalate": "超时通知",
    "fu.col_source": "依据",
    "fu.from_checklist": "按检查表整改时限",
    "fu.none": "—",
    "fu.own": "本项目",
    "fu.company": "公司标准",
    "fu.clock.respond": "响应",
    "fu.clock.resolve": "办结",
    "fu.to.owner": "负责人",
    "fu.to.supervisor": "主管",
    "fu.to.manager": "管理处经理",
    "fu.step": "{to}（{clock}超时{after}）",
    "fu.after": "后再过 {span}",
    "fu.unit.minutes": "分钟",
    "fu.unit.hours": "小时",
    "fu.unit.working_hours": "个工作小时",
    "fu.unit.working_days": "个工作日",
    "fu.edit_title": "修改本项目的时限",
    "fu.edit_legend": "{kind} · {clock}时限",
    "fu.amount": "时长",
    "fu.unit": "单位",
    "fu.save": "保存",
    "fu.saved": "已保存：{kind}{clock}时限为 {text}。",
    "fu.restore": "恢复公司标准",
    "fu.restored": "已恢复公司标准：{kind}{clock}时限为 {text}。",
    "fu.read_only": "只有管理员和主管可以修改时限。",
    "fu.open": "未办结事项 / Open follow-ups",
    "fu.open_caption": "{site} 未办结的事项（最近的时限在前）",
    "fu.open_none": "没有未办结的事项。",
    "fu.col_state": "状态",
    "fu.col_what": "事项",
    "fu.col_area": "区域",
    "fu.col_owner": "负责人",
    "fu.col_reported": "报告时间",
    "fu.col_respond_due": "响应截止",
    "fu.col_resolve_due": "办结截止",
    "fu.col_escalated": "已通知",
    "fu.state.late": "已超时",
    "fu.state.unanswered": "待响应",
    "fu.state.running": "计时中",
    "fu.state.none": "无时限",
    "fu.type.anomaly": "异常",
    "fu.type.rectification": "整改",
    "fu.nobody": "未指派",
  },
  en: {
    "fu.nav": "Follow-up promises",
    "fu.title": "Follow-up promises",
    "fu.intro":
      "How soon each kind of follow-up is answered and dealt with, and who hears, step by step, when a promise breaks (the company's times come from the manuals; a site may have its own). Working hours and working days follow the site's working hours and calendar.",
    "fu.no_sites": "You have no site to look at.",
    "fu.failed": "Could not read this: {message}",
    "fu.promises": "服务时限 / Promises",
    "fu.promises_caption": "Promises of {site} (working hours {hours})",
    "fu.col_kind": "Kind",
    "fu.col_respond": "Respond within",
    "fu.col_resolve": "Resolve within",
    "fu.col_escalate": "When broken, tell",
    "fu.col_source": "Source",
    "fu.from_checklist": "By the checklist's rectification time",
    "fu.none": "—",
    "fu.own": "This site",
    "fu.company": "Company",
    "fu.clock.respond": "respond",
    "fu.clock.resolve": "resolve",
    "fu.to.owner": "Owner",
    "fu.to.supervisor": "Supervisor",
    "fu.to.manager": "Site manager",
    "fu.step": "{to} ({clock} broken{after})",
    "fu.after": " + {span}",
    "fu.unit.minutes": "minutes",
    "fu.unit.hours": "hours",
    "fu.unit.working_hours": "working hours",
    "fu.unit.working_days": "working days",
    "fu.edit_title": "This site's own times",
    "fu.edit_legend": "{kind} · {clock}",
    "fu.amount": "Amount",
    "fu.unit": "Unit",
    "fu.save": "Save",
    "fu.saved": "Saved: {kind} {clock} within {text}.",
    "fu.restore": "Back to the company's time",
    "fu.restored": "The company's time again: {kind} {clock} within {text}.",
    "fu.read_only": "Only administrators and supervisors can change the times.",
    "fu.open": "未办结事项 / Open follow-ups",
    "fu.open_caption": "Open follow-ups of {site} (nearest deadline first)",
    "fu.open_none": "Nothing open.",
    "fu.col_state": "State",
    "fu.col_what": "What",
    "fu.col_area": "Area",
    "fu.col_owner": "Owner",
    "fu.col_reported": "Reported",
    "fu.col_respond_due": "Answer by",
    "fu.col_resolve_due": "Resolve by",
    "fu.col_escalated": "Told",
    "fu.state.late": "Late",
    "fu.state.unanswered": "Unanswered",
    "fu.state.running": "Running",
    "fu.state.none": "No clock",
    "fu.type.anomaly": "Anomaly",
    "fu.type.rectification": "Rectification",
    "fu.nobody": "Nobody yet",
  },
};

export const routes = { followups: renderFollowups };

export function nav(user) {
  return VIEWERS.has(user?.role) ? [{ route: "followups", label: t("fu.nav"), group: "alerts" }] : [];
}

function kindName(promise) {
  return lang() === "en" ? promise.name_en : promise.name;
}

/** "3 个工作日" / "3 working days" from a span {amount, unit} or the server's "3 working_days". */
function spanWords(span) {
  if (!span) return "";
  if (typeof span === "string") {
    const [amount, unit] = span.split(" ");
    return `${amount} ${t(`fu.unit.${unit}`)}`;
  }
  return `${span.amount} ${t(`fu.unit.${span.unit}`)}`;
}

function spanCell(span, fallback) {
  if (!span) return h("span", { class: "muted" }, fallback);
  return h(
    "span",
    {},
    spanWords(span),
    " ",
    span.own ? h("span", { class: "badge warn fu-own" }, t("fu.own")) : null,
  );
}

function stepsText(steps) {
  return steps
    .map((s) =>
      t("fu.step", {
        to: t(`fu.to.${s.to}`),
        clock: t(`fu.clock.${s.clock}`),
        after: s.after ? t("fu.after", { span: spanWords(s.after) }) : "",
      }),
    )
    .join(" → ");
}

async function renderFollowups(view) {
  view.append(h("h1", {}, t("fu.title")), h("p", { class: "muted" }, t("fu.intro")));
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("fu.no_sites")));
    return;
  }
  const picker = sitePicker(sites, () => load());
  const promisesBody = h("div", { id: "promise-body" });
  const openBody = h("div", { id: "followup-body" });
  view.append(
    h("div", { class: "card" }, picker.node),
    h("section", { class: "card" }, h("h2", {}, t("fu.promises")), promisesBody),
    h("section", { class: "card" }, h("h2", {}, t("fu.open")), openBody),
  );
  const canEdit = EDITORS.has(session()?.user?.role);
  const answers = new Map(); // "kind-clock" → the answer text kept across a reload
  const kindNames = new Map(); // kind → its name, from the promises the server gave
  let counter = 0;

  async function load() {
    const mine = ++counter;
    const siteId = picker.value();
    const site = sites.find((s) => s.id === siteId);
    try {
      const promises = await api("GET", "/followups/promises", { query: { site_id: siteId } });
      if (mine !== counter) return;
      drawPromises(promises, site);
    } catch (error) {
      if (mine === counter)
        promisesBody.replaceChildren(
          h("p", { class: "error", role: "alert" }, t("fu.failed", { message: reason(error) })),
        );
    }
    try {
      const open = await api("GET", "/followups", { query: { site_id: siteId } });
      if (mine !== counter) return;
      drawOpen(open, site);
    } catch (error) {
      if (mine === counter)
        openBody.replaceChildren(
          h("p", { class: "error", role: "alert" }, t("fu.failed", { message: reason(error) })),
        );
    }
  }

  async function reloadPromises(siteId) {
    const site = sites.find((s) => s.id === siteId);
    const promises = await api("GET", "/followups/promises", { query: { site_id: siteId } });
    if (picker.value() === siteId) drawPromises(promises, site);
  }

  function drawPromises(data, site) {
    const rows = data.promises;
    for (const p of rows) kindNames.set(p.kind, kindName(p));
    const columns = [
      { label: t("fu.col_kind"), value: (p) => kindName(p) },
      { label: t("fu.col_respond"), value: (p) => spanCell(p.respond, t("fu.none")) },
      {
        label: t("fu.col_resolve"),
        value: (p) =>
          spanCell(p.resolve, p.kind === "rectification" ? t("fu.from_checklist") : t("fu.none")),
      },
      { label: t("fu.col_escalate"), value: (p) => stepsText(p.escalate) },
      { label: t("fu.col_source"), value: (p) => p.source, class: "muted" },
    ];
    const list = table(columns, rows, {
      caption: t("fu.promises_caption", { site: site?.name || "", hours: data.working_hours }),
      rowAttrs: (p) => ({ "data-kind": p.kind }),
    });
    list.id = "promise-table";
    const parts = [list];
    if (canEdit) {
      parts.push(h("h3", {}, t("fu.edit_title")));
      const forms = [];
      for (const p of rows) {
        for (const clock of ["respond", "resolve"]) {
          if (p[clock]) forms.push(editForm(data.site_id, p, clock));
        }
      }
      parts.push(h("div", { class: "columns fu-forms" }, forms));
    } else {
      parts.push(h("p", { class: "muted", id: "promise-read-only" }, t("fu.read_only")));
    }
    promisesBody.replaceChildren(...parts);
  }

  function editForm(siteId, promise, clock) {
    const key = `${promise.kind}-${clock}`;
    const span = promise[clock];
    const words = { kind: kindName(promise), clock: t(`fu.clock.${clock}`) };
    const amount = h("input", {
      type: "number",
      name: "amount",
      min: "0",
      step: "any",
      required: true,
      value: String(span.amount),
      id: `promise-amount-${key}`,
    });
    const unit = select(
      "unit",
      UNITS.map((u) => [u, t(`fu.unit.${u}`)]),
      span.unit,
      { id: `promise-unit-${key}` },
    );
    const answer = answerBox({ id: `promise-answer-${key}` });
    const kept = answers.get(key);
    if (kept) {
      answer.className = `answer ${kept.cls}`;
      answer.textContent = kept.text;
    }
    const keep = () =>
      answers.set(key, { cls: answer.className.replace("answer", "").trim(), text: answer.textContent });
    const restore = actionButton(
      t("fu.restore"),
      answer,
      () => api("DELETE", "/followups/promises", { query: { site_id: siteId, kind: promise.kind, clock } }),
      {
        attrs: { id: `promise-restore-${key}`, class: "small" },
        ok: (result) => t("fu.restored", { ...words, text: spanWords(pick(result, promise.kind, clock)) }),
        after: async () => {
          keep();
          await reloadPromises(siteId);
        },
      },
    );
    restore.disabled = !span.own;
    const form = h(
      "form",
      { id: `promise-form-${key}`, class: "fu-form", novalidate: true },
      h(
        "fieldset",
        {},
        h(
          "legend",
          {},
          t("fu.edit_legend", words),
          " ",
          h(
            "span",
            { class: span.own ? "badge warn" : "badge muted" },
            span.own ? t("fu.own") : t("fu.company"),
          ),
        ),
        h(
          "div",
          { class: "row" },
          field(t("fu.amount"), amount),
          field(t("fu.unit"), unit),
          h(
            "div",
            { class: "actions" },
            h("button", { type: "submit", class: "primary" }, t("fu.save")),
            restore,
          ),
        ),
        answer,
      ),
    );
    onSubmit(
      form,
      answer,
      (values) =>
        api("PUT", "/followups/promises", {
          json: {
            site_id: siteId,
            kind: promise.kind,
            clock,
            amount: values.amount === "" ? null : Number(values.amount),
            unit: values.unit,
          },
        }),
      {
        ok: (result) => t("fu.saved", { ...words, text: spanWords(pick(result, promise.kind, clock)) }),
        after: async () => {
          keep();
          await reloadPromises(siteId);
        },
      },
    );
    // A refusal stays beside the form too, and the form keeps what was typed.
    form.addEventListener("submit", () => answers.delete(key));
    return form;
  }

  function pick(result, kind, clock) {
    return result.promises.find((p) => p.kind === kind)?.[clock] || null;
  }

  function drawOpen(items, site) {
    const columns = [
      {
        label: t("fu.col_state"),
        value: (f) =>
          h("span", { class: `badge ${STATE_CLASS[f.state] || "muted"}` }, t(`fu.state.${f.state}`)),
      },
      {
        label: t("fu.col_what"),
        value: (f) => `${kindNames.get(f.kind) || t(`fu.type.${f.type}`)} · ${f.what}`,
      },
      { label: t("fu.col_area"), value: (f) => f.area || "" },
      { label: t("fu.col_owner"), value: (f) => f.owner || h("span", { class: "muted" }, t("fu.nobody")) },
      { label: t("fu.col_reported"), value: (f) => localTime(f.reported_at) },
      { label: t("fu.col_respond_due"), value: (f) => localTime(f.respond_due_at) },
      { label: t("fu.col_resolve_due"), value: (f) => localTime(f.resolve_due_at) },
      {
        label: t("fu.col_escalated"),
        value: (f) => (f.escalated_to || []).map((to) => t(`fu.to.${to}`)).join("、"),
      },
    ];
    const list = table(columns, items, {
      caption: t("fu.open_caption", { site: site?.name || "" }),
      rowAttrs: (f) => ({ "data-id": `${f.type}-${f.id}`, "data-state": f.state }),
      empty: t("fu.open_none"),
    });
    list.id = "followup-list";
    openBody.replaceChildren(list);
  }

  await load();
}
