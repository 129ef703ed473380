// The working-day calendar 工作日历: a site's year as twelve small month grids with the statutory
// holidays, the make-up working days 调休 and the site's own days marked (a letter in each marked
// day and a legend, never colour alone), the warning when the calendar does not know the year,
// and, for admins and supervisors, a form to mark the site's own closure or working day and a
// list to remove them, each saying the server's answer beside it.
import { session } from "/app/js/session.js";
import {
  actionButton,
  answerBox,
  api,
  field,
  h,
  lang,
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

export const messages = {
  zh: {
    "cal.nav": "工作日历",
    "cal.title": "工作日历",
    "cal.intro":
      "法定节假日和调休上班日来自国务院每年的放假安排（chinese-calendar 数据）；本项目自己的停工日或上班日叠加在上面，以本项目为准。",
    "cal.year": "年份",
    "cal.no_sites": "您没有可查看的项目。",
    "cal.failed": "日历读取失败：{message}",
    "cal.covered": "{year}年的放假安排已收录。",
    "cal.not_covered":
      "日历还没有{year}年的放假安排（国务院通常在前一年11月公布）：下面只标了固定日期的元旦、劳动节、国庆节，春节等农历节日和调休上班日都没有。按这一年排班会有错；请升级日历数据，或由管理员、主管先在本页标记本项目的日子。",
    "cal.legend": "图例",
    "cal.legend.holiday_statute": "法定假日（休）",
    "cal.legend.makeup_statute": "调休上班（班）",
    "cal.legend.closed_site": "本项目停工（停）",
    "cal.legend.open_site": "本项目上班（开）",
    "cal.legend.weekend": "周末（六、日两列，灰色数字）",
    "cal.mark.holiday_statute": "休",
    "cal.mark.makeup_statute": "班",
    "cal.mark.closed_site": "停",
    "cal.mark.open_site": "开",
    "cal.month": "{month}月",
    "cal.wd": "一,二,三,四,五,六,日",
    "cal.day_label": "{month}月{day}日",
    "cal.form": "标记本项目的日子",
    "cal.day": "日期",
    "cal.kind": "类型",
    "cal.kind.closed": "停工（本项目放假、公司假日）",
    "cal.kind.open": "上班（法定假日或周末照常上班）",
    "cal.note": "备注",
    "cal.add": "标记",
    "cal.added": "已标记 {day}：{kind}。",
    "cal.own": "本项目标记的日子",
    "cal.own_caption": "{site} {year}年标记的日子",
    "cal.own_none": "本年没有标记的日子。",
    "cal.remove": "删除",
    "cal.remove_q": "删除 {day} 的标记？该日恢复按法定日历。",
    "cal.removed": "已删除 {day} 的标记。",
    "cal.col_day": "日期",
    "cal.col_kind": "类型",
    "cal.col_note": "备注",
    "cal.col_action": "操作",
    "cal.kind_short.closed": "停工",
    "cal.kind_short.open": "上班",
    "cal.read_only": "只有管理员和主管可以标记日子。",
  },
  en: {
    "cal.nav": "Working-day calendar",
    "cal.title": "Working-day calendar",
    "cal.intro":
      "Public holidays and make-up working days come from the State Council's yearly notice (chinese-calendar data); the site's own closures and working days are laid on top and win.",
    "cal.year": "Year",
    "cal.no_sites": "You have no site to look at.",
    "cal.failed": "Could not read the calendar: {message}",
    "cal.covered": "The {year} holidays are in the calendar.",
    "cal.not_covered":
      "The calendar does not have the {year} holiday notice yet (the State Council publishes it around November of the year before): only the fixed-date holidays (1 Jan, 1-2 May, 1-3 Oct) are marked below; the Spring Festival and the other lunar holidays and the make-up working days are missing. A rota for this year would be wrong: update the calendar data, or have an administrator or supervisor mark the site's days here meanwhile.",
    "cal.legend": "Legend",
    "cal.legend.holiday_statute": "Public holiday (H)",
    "cal.legend.makeup_statute": "Make-up working day (W)",
    "cal.legend.closed_site": "Site closed (C)",
    "cal.legend.open_site": "Site open (O)",
    "cal.legend.weekend": "Weekend (the Sa and Su columns, grey numbers)",
    "cal.mark.holiday_statute": "H",
    "cal.mark.makeup_statute": "W",
    "cal.mark.closed_site": "C",
    "cal.mark.open_site": "O",
    "cal.month": "{monthName}",
    "cal.wd": "Mo,Tu,We,Th,Fr,Sa,Su",
    "cal.day_label": "{day} {monthName}",
    "cal.form": "Mark a day at this site",
    "cal.day": "Day",
    "cal.kind": "Kind",
    "cal.kind.closed": "Closed (the site's own closure, a company day off)",
    "cal.kind.open": "Open (work on a holiday or weekend)",
    "cal.note": "Note",
    "cal.add": "Mark",
    "cal.added": "Marked {day}: {kind}.",
    "cal.own": "Days marked at this site",
    "cal.own_caption": "Days marked at {site} in {year}",
    "cal.own_none": "No day marked this year.",
    "cal.remove": "Remove",
    "cal.remove_q": "Remove the mark on {day}? The statutory calendar applies to it again.",
    "cal.removed": "Removed the mark on {day}.",
    "cal.col_day": "Day",
    "cal.col_kind": "Kind",
    "cal.col_note": "Note",
    "cal.col_action": "Action",
    "cal.kind_short.closed": "Closed",
    "cal.kind_short.open": "Open",
    "cal.read_only": "Only administrators and supervisors can mark days.",
  },
};

export function nav(user) {
  return VIEWERS.has(user?.role) ? [{ route: "calendar", label: t("cal.nav"), group: "greeting" }] : [];
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function monthName(month) {
  return new Date(Date.UTC(2000, month - 1, 1)).toLocaleString("en-GB", { month: "long", timeZone: "UTC" });
}

/** The legend key of a special day: holiday_statute, makeup_statute, closed_site, open_site. */
function markOf(day) {
  if (day.source === "site") return day.working ? "open_site" : "closed_site";
  return day.kind === "holiday" ? "holiday_statute" : "makeup_statute";
}

function describe(day) {
  const parts = [t(`cal.legend.${markOf(day)}`).replace(/[（(].*$/, "")];
  const name = lang() === "en" ? day.name : day.name_zh;
  if (name) parts.push(name);
  if (day.note) parts.push(day.note);
  return parts.join(" · ");
}

function monthGrid(year, month, special) {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // Monday first, as in China
  const names = t("cal.wd").split(",");
  const rows = [];
  let cells = [];
  for (let i = 0; i < lead; i += 1) cells.push(h("td", { class: "cal-empty" }));
  for (let d = 1; d <= length; d += 1) {
    const iso = `${year}-${pad(month)}-${pad(d)}`;
    const weekend = (lead + d - 1) % 7 >= 5;
    const info = special.get(iso);
    const mark = info ? markOf(info) : null;
    const label = t("cal.day_label", { month, day: d, monthName: monthName(month) });
    cells.push(
      h(
        "td",
        {
          class: ["cal-day", weekend ? "cal-weekend" : "", mark ? `cal-${mark}` : ""].join(" ").trim(),
          "data-day": iso,
          "data-mark": mark,
          title: info ? `${label}：${describe(info)}` : null,
        },
        h("span", { class: "cal-num" }, String(d)),
        mark ? h("span", { class: "cal-mark", "aria-hidden": "true" }, t(`cal.mark.${mark}`)) : null,
        info ? h("span", { class: "cal-hidden" }, `，${describe(info)}`) : null,
      ),
    );
    if (cells.length === 7) {
      rows.push(h("tr", {}, cells));
      cells = [];
    }
  }
  if (cells.length) {
    while (cells.length < 7) cells.push(h("td", { class: "cal-empty" }));
    rows.push(h("tr", {}, cells));
  }
  return h(
    "table",
    { class: "cal-month", "data-month": month },
    h("caption", {}, t("cal.month", { month, monthName: monthName(month) })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        names.map((n) => h("th", { scope: "col" }, n)),
      ),
    ),
    h("tbody", {}, rows),
  );
}

function legend() {
  const keys = ["holiday_statute", "makeup_statute", "closed_site", "open_site"];
  return h(
    "div",
    { class: "cal-legend", id: "cal-legend" },
    h("h2", {}, t("cal.legend")),
    h(
      "ul",
      {},
      keys.map((key) =>
        h(
          "li",
          {},
          h("span", { class: `cal-swatch cal-${key}`, "aria-hidden": "true" }, t(`cal.mark.${key}`)),
          t(`cal.legend.${key}`),
        ),
      ),
      h(
        "li",
        {},
        h("span", { class: "cal-swatch cal-weekend", "aria-hidden": "true" }, "12"),
        t("cal.legend.weekend"),
      ),
    ),
  );
}

async function renderCalendar(view) {
  view.append(h("h1", {}, t("cal.title")), h("p", { class: "muted" }, t("cal.intro")));
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("cal.no_sites")));
    return;
  }
  const picker = sitePicker(sites, () => load());
  const thisYear = new Date().getFullYear();
  const years = [thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map((y) => [y, String(y)]);
  const yearSelect = select("year", years, sessionStorage.getItem("xj.console.cal-year") || thisYear, {
    id: "cal-year",
  });
  yearSelect.addEventListener("change", () => {
    sessionStorage.setItem("xj.console.cal-year", yearSelect.value);
    load();
  });
  const body = h("div", { id: "cal-body" });
  view.append(h("div", { class: "card cal-toolbar" }, picker.node, field(t("cal.year"), yearSelect)), body);
  let counter = 0;

  async function load(answerText = "") {
    const mine = ++counter;
    const siteId = picker.value();
    const year = Number(yearSelect.value);
    const canEdit = EDITORS.has(session()?.user?.role);
    try {
      const [cal, own] = await Promise.all([
        api("GET", "/calendar", { query: { site_id: siteId, year } }),
        canEdit ? api("GET", "/calendar/days", { query: { site_id: siteId, year } }) : Promise.resolve(null),
      ]);
      if (mine !== counter) return;
      draw(cal, own, canEdit, answerText);
    } catch (error) {
      if (mine === counter)
        body.replaceChildren(
          h("p", { class: "error", role: "alert" }, t("cal.failed", { message: reason(error) })),
        );
    }
  }

  function draw(cal, own, canEdit, answerText) {
    const site = sites.find((s) => s.id === cal.site_id);
    const special = new Map(cal.days.map((d) => [d.day, d]));
    const status = cal.covered
      ? h("p", { class: "ok", id: "cal-covered" }, t("cal.covered", { year: cal.year }))
      : h(
          "div",
          { class: "warning", id: "cal-warning", role: "alert" },
          h("p", {}, t("cal.not_covered", { year: cal.year })),
        );
    const months = h(
      "div",
      { class: "cal-year", id: "cal-year-grid" },
      Array.from({ length: 12 }, (_, i) => monthGrid(cal.year, i + 1, special)),
    );
    const parts = [status, h("section", { class: "card cal-area" }, legend(), months)];
    if (canEdit) parts.push(editor(cal, own, site, answerText));
    else parts.push(h("p", { class: "muted" }, t("cal.read_only")));
    body.replaceChildren(...parts);
  }

  function editor(cal, own, site, answerText) {
    const day = h("input", { type: "date", name: "day", id: "cal-day", required: true });
    const kind = select(
      "kind",
      [
        ["closed", t("cal.kind.closed")],
        ["open", t("cal.kind.open")],
      ],
      "closed",
      { id: "cal-kind" },
    );
    const note = h("input", { name: "note", id: "cal-note", maxlength: 200 });
    const answer = answerBox({ id: "cal-answer" });
    if (answerText) answer.ok(answerText);
    const form = h(
      "form",
      { id: "cal-form", class: "card", novalidate: true },
      h("h2", {}, t("cal.form")),
      h(
        "div",
        { class: "row cal-form-row" },
        field(t("cal.day"), day),
        field(t("cal.kind"), kind),
        field(t("cal.note"), note),
      ),
      h("button", { type: "submit", class: "primary", id: "cal-add" }, t("cal.add")),
      answer,
    );
    onSubmit(
      form,
      answer,
      (values) => api("POST", "/calendar/days", { json: { ...values, site_id: cal.site_id } }),
      {
        ok: (saved) => t("cal.added", { day: saved.day, kind: t(`cal.kind_short.${saved.kind}`) }),
        after: async () => {
          await load(answer.textContent);
          document.getElementById("cal-answer")?.focus?.();
        },
      },
    );
    const listAnswer = answerBox({ id: "cal-list-answer" });
    const list = h(
      "section",
      { class: "card", id: "cal-own", "aria-labelledby": "cal-own-title" },
      h("h2", { id: "cal-own-title" }, t("cal.own")),
      table(
        [
          { label: t("cal.col_day"), value: (r) => r.day, class: "cal-nowrap" },
          { label: t("cal.col_kind"), value: (r) => t(`cal.kind_short.${r.kind}`) },
          { label: t("cal.col_note"), value: (r) => r.note },
          {
            label: t("cal.col_action"),
            value: (r) =>
              actionButton(t("cal.remove"), listAnswer, () => api("DELETE", `/calendar/days/${r.id}`), {
                question: t("cal.remove_q", { day: r.day }),
                danger: true,
                attrs: { class: "small", "data-remove": r.day },
                ok: () => t("cal.removed", { day: r.day }),
                after: () => load(t("cal.removed", { day: r.day })),
              }),
          },
        ],
        own || [],
        {
          caption: t("cal.own_caption", { site: site?.name || "", year: cal.year }),
          rowAttrs: (r) => ({ "data-id": r.id }),
          empty: t("cal.own_none"),
        },
      ),
      listAnswer,
    );
    return h("div", { class: "cal-edit" }, form, list);
  }

  await load();
}

export const routes = { calendar: renderCalendar };
