// Office screens 人事 / 管理处: the month's records per site with the grade chart, a person's
// month and the inspections, rounds or shifts behind each figure, month close, and the Excel and
// CSV exports. Phone first; widens to a table on a desktop browser.

import { authorisedImg, errorText, h, language, screen, wording } from "../dom.js";
import { t } from "../i18n.js";

export const messages = {
  zh: {
    "of.menu.records": "月度考核",
    "of.title": "月度考核",
    "of.site": "项目",
    "of.month": "月份",
    "of.show": "查看",
    "of.summary": "本月概况",
    "of.staff": "人数",
    "of.scored": "有得分",
    "of.pass_rate": "达标率",
    "of.avg_composite": "平均综合",
    "of.avg_grooming": "平均仪容",
    "of.avg_etiquette": "平均礼仪",
    "of.grades": "等级分布",
    "of.worst": "最常不合格的项目",
    "of.worst_fails": "{n} 次",
    "of.stars": "服务标兵",
    "of.records": "人员记录",
    "of.none": "本月没有记录",
    "of.col.no": "工号",
    "of.col.name": "姓名",
    "of.col.team": "班组",
    "of.col.grooming": "仪容",
    "of.col.etiquette": "礼仪",
    "of.col.greeting": "迎候",
    "of.col.patrol": "巡逻",
    "of.col.area": "区域",
    "of.col.composite": "综合",
    "of.col.grade": "等级",
    "of.missing": "—",
    "of.not_inspected": "未检查",
    "of.closed": "本月已关闭，记录已冻结",
    "of.open": "本月未关闭",
    "of.download_xlsx": "下载 Excel",
    "of.download_csv": "下载 CSV",
    "of.downloading": "正在下载…",
    "of.downloaded": "已下载",
    "of.close": "关闭本月",
    "of.close_confirm":
      "确定关闭 {site} {month} 吗？关闭后本月记录冻结，之后到达的检查计入下一个未关闭的月份，更正须通过调整并注明原因。",
    "of.close_yes": "确定关闭",
    "of.close_no": "取消",
    "of.close_done": "已关闭：{n} 人的记录已冻结",
    "of.coverage_low":
      "检查覆盖低于计划：计划 {planned} 次，完成 {done} 次；{people} 人、{areas} 个区域未按计划检查（记录显示为未检查）。",
    "of.person": "个人月度记录",
    "of.component.grooming": "仪容仪表",
    "of.component.etiquette": "服务礼仪",
    "of.component.greeting": "迎候值班",
    "of.component.patrol": "巡逻完成率",
    "of.component.area": "责任区域",
    "of.count": "{n} 条依据",
    "of.composite": "综合得分",
    "of.grade": "等级",
    "of.passed": "达标",
    "of.failed": "未达标",
    "of.critical": "有红线项不合格",
    "of.trend": "近 12 个月",
    "of.trace": "得分依据",
    "of.trace_none": "没有依据记录",
    "of.type.inspection": "检查",
    "of.type.round": "巡逻",
    "of.type.shift": "迎候班次",
    "of.missed": "漏巡 {n} 个点",
    "of.back": "返回",
    "of.scroll_hint": "表格可左右滑动，查看全部 {n} 列 →",
    "of.close_later": "本月结束后才能关闭（{date} 起）。",
    "of.table": "人员记录表",
  },
  en: {
    "of.menu.records": "Monthly records",
    "of.title": "Monthly records",
    "of.site": "Site",
    "of.month": "Month",
    "of.show": "Show",
    "of.summary": "The month at a glance",
    "of.staff": "People",
    "of.scored": "With a score",
    "of.pass_rate": "Pass rate",
    "of.avg_composite": "Average composite",
    "of.avg_grooming": "Average grooming",
    "of.avg_etiquette": "Average etiquette",
    "of.grades": "Grades",
    "of.worst": "Most often failed items",
    "of.worst_fails": "{n} times",
    "of.stars": "Service stars",
    "of.records": "People",
    "of.none": "No records this month",
    "of.col.no": "No.",
    "of.col.name": "Name",
    "of.col.team": "Team",
    "of.col.grooming": "Grooming",
    "of.col.etiquette": "Etiquette",
    "of.col.greeting": "Greeting",
    "of.col.patrol": "Patrol",
    "of.col.area": "Areas",
    "of.col.composite": "Composite",
    "of.col.grade": "Grade",
    "of.missing": "—",
    "of.not_inspected": "Not inspected",
    "of.closed": "This month is closed; its records are frozen",
    "of.open": "This month is open",
    "of.download_xlsx": "Download Excel",
    "of.download_csv": "Download CSV",
    "of.downloading": "Downloading…",
    "of.downloaded": "Downloaded",
    "of.close": "Close the month",
    "of.close_confirm":
      "Close {month} for {site}? Its records are frozen; inspections that arrive later count in the next open month, and corrections need an adjustment with a reason.",
    "of.close_yes": "Close it",
    "of.close_no": "Cancel",
    "of.close_done": "Closed: {n} people's records frozen",
    "of.coverage_low":
      "Inspections below plan: {done} of {planned} planned checks done; {people} people and {areas} areas not covered (shown as not inspected).",
    "of.person": "Person's month",
    "of.component.grooming": "Grooming",
    "of.component.etiquette": "Etiquette",
    "of.component.greeting": "Greeting duty",
    "of.component.patrol": "Patrol completion",
    "of.component.area": "Areas kept",
    "of.count": "{n} behind it",
    "of.composite": "Composite",
    "of.grade": "Grade",
    "of.passed": "Pass",
    "of.failed": "Below the pass mark",
    "of.critical": "A red-line item failed",
    "of.trend": "The last 12 months",
    "of.trace": "Where the figure comes from",
    "of.trace_none": "Nothing behind this figure",
    "of.type.inspection": "Inspection",
    "of.type.round": "Patrol round",
    "of.type.shift": "Greeting shift",
    "of.missed": "{n} checkpoints missed",
    "of.back": "Back",
    "of.scroll_hint": "Swipe the table sideways to see all {n} columns →",
    "of.close_later": "The month can be closed once it is over (from {date}).",
    "of.table": "People's records",
  },
};

const OFFICE = ["admin", "hr", "manager"];
const CLOSERS = ["admin", "hr"];
const EXPORTERS = ["admin", "hr", "manager"];

export function menu(user) {
  if (!user || !OFFICE.includes(user.role)) return [];
  return [{ route: "office", label: t("of.menu.records") }];
}

// component → [record field with the figure, record field with its count]
const COMPONENTS = {
  grooming: ["grooming_score", "grooming_count"],
  etiquette: ["etiquette_score", "etiquette_count"],
  greeting: ["greeting_compliance", "greeting_shifts"],
  patrol: ["patrol_completion", "patrol_rounds"],
  area: ["area_score", "area_count"],
};

function role(ctx) {
  const s = ctx.session() || {};
  return (s.user || {}).role;
}

function thisMonth() {
  const d = new Date();
  return d.getFullYear() * 100 + d.getMonth() + 1;
}

/** 202611 ↔ "2026-11" (the value of an <input type="month">). */
const monthInput = (m) => `${Math.floor(m / 100)}-${String(m % 100).padStart(2, "0")}`;
const monthNumber = (s) => Number(String(s).replace("-", ""));

function fmt(ctx, value, suffix = "") {
  return value === null || value === undefined ? ctx.t("of.missing") : `${value}${suffix}`;
}

/** The trace's times come without an offset, in UTC: shown in the phone's own time. */
function when(at) {
  if (!at) return "";
  const text = String(at);
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(date.getTime())) return text;
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

async function sites(ctx) {
  return ctx.api("GET", "/sites", { query: { active: true, page_size: 100 } });
}

// ---------------------------------------------------------------- the month at a site

async function renderMonth(view, params, ctx) {
  const wrap = screen(view, ctx.t("of.title"), "of");
  let siteList;
  try {
    siteList = await sites(ctx);
  } catch (err) {
    wrap.append(h("p", { class: "of-error" }, errorText(ctx, err)));
    return;
  }
  if (!siteList.length) {
    wrap.append(h("p", { class: "of-muted" }, ctx.t("of.none")));
    return;
  }
  const siteId = Number(params[0]) || siteList[0].id;
  const month = Number(params[1]) || thisMonth();
  const site = siteList.find((s) => s.id === siteId) || siteList[0];

  const siteSelect = h(
    "select",
    { id: "of-site", class: "of-input" },
    siteList.map((s) => h("option", { value: s.id, selected: s.id === site.id }, s.name)),
  );
  const monthField = h("input", {
    id: "of-month",
    class: "of-input",
    type: "month",
    value: monthInput(month),
  });
  const go = () => {
    const m = monthNumber(monthField.value);
    if (m) ctx.navigate("office", siteSelect.value, m);
  };
  siteSelect.addEventListener("change", go);
  monthField.addEventListener("change", go);
  wrap.append(
    h(
      "div",
      { class: "of-filters" },
      h("label", {}, ctx.t("of.site"), siteSelect),
      h("label", {}, ctx.t("of.month"), monthField),
    ),
  );

  const body = h("div", { class: "of-body" }, ctx.t("sv.loading"));
  wrap.append(body);
  let records;
  let summary;
  try {
    [records, summary] = await Promise.all([
      ctx.api("GET", "/monthly/records", { query: { site_id: site.id, month } }),
      ctx.api("GET", "/monthly/summary", { query: { site_id: site.id, month } }),
    ]);
  } catch (err) {
    body.replaceChildren(h("p", { class: "of-error" }, errorText(ctx, err)));
    return;
  }
  const group = summary.sites.find((g) => g.site_id === site.id) || {};
  const closed = records.some((r) => r.closed);

  const overview = h(
    "div",
    { class: "of-panel" },
    h("h2", {}, ctx.t("of.summary")),
    h(
      "dl",
      { class: "of-figures", id: "of-figures" },
      [
        ["of.staff", group.staff],
        ["of.scored", group.scored],
        ["of.pass_rate", fmt(ctx, group.pass_rate, group.pass_rate == null ? "" : "%")],
        ["of.avg_composite", fmt(ctx, group.composite)],
        ["of.avg_grooming", fmt(ctx, group.grooming)],
        ["of.avg_etiquette", fmt(ctx, group.etiquette)],
      ].map(([label, value]) => h("div", {}, h("dt", {}, ctx.t(label)), h("dd", {}, value ?? 0))),
    ),
    h("p", { class: closed ? "of-closed" : "of-muted", id: "of-state" }, ctx.t(closed ? "of.closed" : "of.open")),
  );
  const chart = h(
    "figure",
    { class: "of-panel of-chart" },
    h("h2", {}, ctx.t("of.grades")),
    authorisedImg(ctx, `/monthly/charts/grades.svg?site_id=${site.id}&month=${month}`, {
      id: "of-grade-chart",
      alt: ctx.t("of.grades"),
    }),
  );
  const top = h("div", { class: "of-top" }, overview, chart);

  const actions = h("div", { class: "of-actions" });
  const actionStatus = h("p", { class: "of-status", role: "status", id: "of-action-status" });
  if (EXPORTERS.includes(role(ctx))) {
    for (const [kind, label] of [
      ["xlsx", "of.download_xlsx"],
      ["csv", "of.download_csv"],
    ]) {
      actions.append(
        h(
          "button",
          {
            type: "button",
            class: "of-secondary",
            id: `of-download-${kind}`,
            onclick: async (event) => {
              const button = event.currentTarget;
              button.disabled = true;
              actionStatus.textContent = ctx.t("of.downloading");
              try {
                const lang = language(ctx) === "en" ? "en" : "zh";
                await ctx.download(
                  `/monthly/export.${kind}?site_id=${site.id}&month=${month}&language=${lang}`,
                  `${site.code || site.id}-${month}.${kind}`,
                );
                actionStatus.textContent = ctx.t("of.downloaded");
              } catch (err) {
                actionStatus.textContent = errorText(ctx, err);
              } finally {
                button.disabled = false;
              }
            },
          },
          ctx.t(label),
        ),
      );
    }
  }
  if (CLOSERS.includes(role(ctx)) && !closed) {
    // Only a month that is over can be closed: the month under way says from when.
    if (month < thisMonth()) {
      actions.append(closeControl(ctx, site, month, actionStatus));
    } else {
      const year = Math.floor(month / 100);
      const next = month % 100 === 12 ? `${year + 1}-01-01` : `${year}-${String((month % 100) + 1).padStart(2, "0")}-01`;
      actions.append(h("p", { class: "of-muted", id: "of-close-later" }, ctx.t("of.close_later", { date: next })));
    }
  }

  body.replaceChildren(
    top,
    h("div", { class: "of-panel" }, actions, actionStatus),
    h("h2", {}, ctx.t("of.records")),
    records.length
      ? recordsTable(ctx, records, site, month)
      : h("p", { class: "of-muted" }, ctx.t("of.none")),
    worstAndStars(ctx, summary),
  );
}

function closeControl(ctx, site, month, actionStatus) {
  const box = h("div", { class: "of-close" });
  const ask = h(
    "button",
    { type: "button", class: "of-danger", id: "of-close" },
    ctx.t("of.close"),
  );
  const confirm = h(
    "div",
    {
      class: "of-confirm",
      id: "of-close-confirm",
      hidden: true,
      role: "alertdialog",
      "aria-label": ctx.t("of.close"),
    },
    h("p", {}, ctx.t("of.close_confirm", { site: site.name, month: monthInput(month) })),
    h(
      "div",
      { class: "of-row" },
      h(
        "button",
        {
          type: "button",
          class: "of-danger",
          id: "of-close-yes",
          onclick: async (event) => {
            const button = event.currentTarget;
            button.disabled = true;
            try {
              const result = await ctx.api("POST", "/monthly/close", {
                json: { site_id: site.id, month },
              });
              actionStatus.textContent = ctx.t("of.close_done", { n: result.records });
              ctx.navigate("office", site.id, month);
            } catch (err) {
              actionStatus.textContent = errorText(ctx, err);
              confirm.hidden = true;
              ask.hidden = false;
              button.disabled = false;
            }
          },
        },
        ctx.t("of.close_yes"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "of-secondary",
          onclick: () => {
            confirm.hidden = true;
            ask.hidden = false;
          },
        },
        ctx.t("of.close_no"),
      ),
    ),
  );
  // Before closing: a month inspected less than the plan (its people "not inspected") says so.
  const coverage = h("p", { class: "of-error", id: "of-coverage-warning", role: "alert", hidden: true });
  confirm.prepend(coverage);
  ask.addEventListener("click", async () => {
    ask.hidden = true;
    confirm.hidden = false;
    try {
      const [c] = await ctx.api("GET", "/plans/coverage", { query: { site_id: site.id, month } });
      if (c && c.below_plan) {
        coverage.textContent = ctx.t("of.coverage_low", {
          planned: c.planned,
          done: c.done,
          people: c.uncovered_people,
          areas: c.uncovered_areas,
        });
        coverage.hidden = false;
      }
    } catch (_err) {
      // The warning is advice: closing stays possible without it.
    }
  });
  box.append(ask, confirm);
  return box;
}

function recordsTable(ctx, records, site, month) {
  const columns = [
    ["of.col.no", (r) => r.employee_no, ""],
    ["of.col.name", (r) => r.name, ""],
    ["of.col.team", (r) => r.team || "", "of-wide"],
    ["of.col.grooming", (r) => fmt(ctx, r.grooming_score), "of-num"],
    ["of.col.etiquette", (r) => fmt(ctx, r.etiquette_score), "of-num"],
    ["of.col.greeting", (r) => fmt(ctx, r.greeting_compliance), "of-num of-wide"],
    ["of.col.patrol", (r) => fmt(ctx, r.patrol_completion), "of-num of-wide"],
    ["of.col.area", (r) => fmt(ctx, r.area_score), "of-num of-wide"],
    ["of.col.composite", (r) => fmt(ctx, r.composite), "of-num"],
    // Planned but never inspected says so (未检查), not just "—"; never a zero score.
    ["of.col.grade", (r) => r.grade || ctx.t(r.not_inspected ? "of.not_inspected" : "of.missing"), ""],
  ];
  const hint = h("p", { class: "of-hint", id: "of-scroll-hint", hidden: true });
  const scroller = h(
    "div",
    { class: "of-scroll", tabindex: 0, role: "region", "aria-label": ctx.t("of.table") },
    h(
      "table",
      { class: "of-table", id: "of-records" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          columns.map(([label, , cls]) => h("th", { class: cls }, ctx.t(label))),
        ),
      ),
      h(
        "tbody",
        {},
        records.map((r) => {
          const open = () => ctx.navigate("office-person", site.id, month, r.staff_id);
          return h(
            "tr",
            {
              "data-staff-id": r.staff_id,
              class: r.passed === false ? "of-below" : "",
              tabindex: 0,
              role: "link",
              onclick: open,
              onkeydown: (e) => {
                if (e.key === "Enter") open();
              },
            },
            columns.map(([, value, cls]) => h("td", { class: cls }, value(r))),
          );
        }),
      ),
    ),
  );
  // At 360 px the last columns lie beyond the edge: say so, and shade the edge while there is
  // more to the right.
  const edge = h("div", { class: "of-table-box" }, scroller);
  const box = h("div", {}, hint, edge);
  const check = () => {
    if (!scroller.isConnected) return;
    const more = scroller.scrollWidth - scroller.clientWidth - scroller.scrollLeft > 2;
    const shown = scroller.querySelectorAll("thead th");
    const visible = [...shown].filter((th) => th.offsetParent !== null).length;
    hint.textContent = ctx.t("of.scroll_hint", { n: visible });
    hint.hidden = scroller.scrollWidth - scroller.clientWidth <= 2;
    edge.classList.toggle("of-more", more);
  };
  scroller.addEventListener("scroll", check, { passive: true });
  window.addEventListener("resize", check);
  requestAnimationFrame(check);
  return box;
}

function worstAndStars(ctx, summary) {
  const box = h("div", { class: "of-bottom" });
  if (summary.worst_items.length) {
    box.append(
      h(
        "div",
        { class: "of-panel" },
        h("h2", {}, ctx.t("of.worst")),
        h(
          "ol",
          {},
          summary.worst_items.map((w) =>
            h("li", {}, wording(ctx, w, "fault"), h("span", { class: "of-muted" }, ` · ${ctx.t("of.worst_fails", { n: w.fails })}`)),
          ),
        ),
      ),
    );
  }
  if (summary.stars.length) {
    box.append(
      h(
        "div",
        { class: "of-panel" },
        h("h2", {}, ctx.t("of.stars")),
        h(
          "ul",
          {},
          summary.stars.map((s) => h("li", {}, `${s.name} ${s.employee_no} · ${s.composite}`)),
        ),
      ),
    );
  }
  return box;
}

// ---------------------------------------------------------------- one person's month

async function renderPerson(view, [siteId, month, staffId], ctx) {
  const wrap = screen(view, ctx.t("of.person"), "of");
  wrap.append(
    h(
      "button",
      { type: "button", class: "of-link", onclick: () => ctx.navigate("office", siteId, month) },
      `← ${ctx.t("of.back")}`,
    ),
  );
  let record;
  try {
    const records = await ctx.api("GET", "/monthly/records", {
      query: { site_id: siteId, month },
    });
    record = records.find((r) => String(r.staff_id) === String(staffId));
  } catch (err) {
    wrap.append(h("p", { class: "of-error" }, errorText(ctx, err)));
    return;
  }
  if (!record) {
    wrap.append(h("p", { class: "of-muted" }, ctx.t("of.none")));
    return;
  }
  wrap.append(
    h(
      "div",
      { class: "of-panel", id: "of-person" },
      h("p", { class: "of-name" }, `${record.name} ${record.employee_no}`, record.team ? ` · ${record.team}` : ""),
      h("p", {}, `${monthInput(Number(month))}`),
      h(
        "p",
        { class: "of-composite" },
        `${ctx.t("of.composite")} `,
        h("strong", { id: "of-composite" }, fmt(ctx, record.composite)),
        record.grade ? ` · ${ctx.t("of.grade")} ${record.grade}` : "",
        record.passed === null || record.passed === undefined
          ? ""
          : ` · ${ctx.t(record.passed ? "of.passed" : "of.failed")}`,
      ),
      record.critical_failed ? h("p", { class: "of-error" }, ctx.t("of.critical")) : null,
      record.closed ? h("p", { class: "of-closed" }, ctx.t("of.closed")) : null,
    ),
    h(
      "ul",
      { class: "of-components", id: "of-components" },
      Object.entries(COMPONENTS)
        .filter(([, [, count]]) => record[count] > 0)
        .map(([component, [figure, count]]) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: "of-row-button",
                "data-component": component,
                onclick: () => ctx.navigate("office-trace", siteId, month, staffId, component),
              },
              h("span", {}, ctx.t(`of.component.${component}`)),
              h("strong", {}, fmt(ctx, record[figure])),
              h("span", { class: "of-muted" }, ctx.t("of.count", { n: record[count] })),
            ),
          ),
        ),
    ),
    h(
      "figure",
      { class: "of-panel of-chart" },
      h("h2", {}, ctx.t("of.trend")),
      authorisedImg(ctx, `/monthly/charts/staff/${staffId}.svg?month=${month}`, {
        id: "of-trend-chart",
        alt: ctx.t("of.trend"),
      }),
    ),
  );
}

// ---------------------------------------------------------------- what a figure comes from

async function renderTrace(view, [siteId, month, staffId, component], ctx) {
  const wrap = screen(view, `${ctx.t("of.trace")} · ${ctx.t(`of.component.${component}`)}`, "of");
  wrap.append(
    h(
      "button",
      {
        type: "button",
        class: "of-link",
        onclick: () => ctx.navigate("office-person", siteId, month, staffId),
      },
      `← ${ctx.t("of.back")}`,
    ),
  );
  let rows;
  try {
    rows = await ctx.api("GET", "/monthly/trace", {
      query: { staff_id: staffId, month, component },
    });
  } catch (err) {
    wrap.append(h("p", { class: "of-error" }, errorText(ctx, err)));
    return;
  }
  if (!rows.length) {
    wrap.append(h("p", { class: "of-muted" }, ctx.t("of.trace_none")));
    return;
  }
  wrap.append(
    h(
      "ul",
      { class: "of-components", id: "of-trace" },
      rows.map((row) => {
        const text = [
          h("span", {}, `${ctx.t(`of.type.${row.type}`)} ${when(row.at)}`),
          row.score !== undefined && row.score !== null
            ? h("strong", {}, `${row.score}${row.grade ? ` ${row.grade}` : ""}`)
            : h("strong", {}, row.status || ctx.t("of.missing")),
          row.missed && row.missed.length
            ? h("span", { class: "of-muted" }, ctx.t("of.missed", { n: row.missed.length }))
            : null,
        ];
        return h(
          "li",
          { "data-trace-id": row.id },
          row.type === "inspection"
            ? h(
                "button",
                {
                  type: "button",
                  class: "of-row-button",
                  onclick: () => ctx.navigate("inspection", row.id),
                },
                text,
              )
            : h("div", { class: "of-row-button" }, text),
        );
      }),
    ),
  );
}

export const routes = {
  office: renderMonth,
  "office-person": renderPerson,
  "office-trace": renderTrace,
};
