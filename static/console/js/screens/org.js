// The organisation 组织: sites 项目 with their settings, areas 区域, posts 岗位 and teams 班组,
// and the contractors 服务供方 who serve the areas. Admins set them up; HR also keeps the teams;
// every office role may look. The API decides: a button shown to the wrong role is refused there
// and the refusal is said beside it.
import { session } from "/app/js/session.js";
import {
  actionButton,
  activeBadge,
  answerBox,
  api,
  fetchAll,
  field,
  h,
  markFieldErrors,
  mySites,
  onSubmit,
  select,
  t,
  table,
  uniqueId,
} from "../ui.js";

export const SITE_TYPES = ["office", "residential", "mixed"];
export const AREA_TYPES = [
  "lobby",
  "lift",
  "stairwell",
  "corridor",
  "restroom",
  "garage",
  "garden",
  "gate",
  "retail",
  "exterior",
  "waste_point",
  "plant_room",
  "roof",
  "other",
];
export const POST_KINDS = ["gate", "lobby", "service_desk", "patrol", "other"];
export const SERVICE_KINDS = ["cleaning", "greening", "pest_control"];
const OFFICE_ROLES = ["admin", "hr", "supervisor", "manager"];
const TIME_ZONES = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Macau",
  "Asia/Taipei",
  "Asia/Urumqi",
  "Asia/Singapore",
  "Asia/Kuala_Lumpur",
  "Asia/Tokyo",
  "Europe/London",
];

export const messages = {
  zh: {
    "org.menu.sites": "项目",
    "org.menu.contractors": "服务供方",
    "org.sites.title": "项目",
    "org.sites.list": "我的项目",
    "org.sites.add": "新建项目",
    "org.sites.added": "已新建项目“{name}”。",
    "org.sites.open": "打开",
    "org.name": "名称",
    "org.code": "编码",
    "org.code_hint": "2–16 位大写字母、数字或“-”，印在巡更点标签上。",
    "org.site_type": "类型",
    "org.timezone": "时区",
    "org.timezone_hint": "IANA 名称，中国大陆为 Asia/Shanghai。",
    "org.service_grade": "服务等级",
    "org.address": "地址",
    "org.workday_start": "上班时间",
    "org.workday_hint": "写字楼早间迎候从此时开始。",
    "org.evening_peak_start": "晚归高峰开始",
    "org.evening_peak_end": "晚归高峰结束",
    "org.evening_hint": "住宅小区晚间迎候在此时段。",
    "org.default_hint":
      "时间留空则按类型默认：写字楼和综合 09:00 上班，住宅小区和综合 18:00–18:30 晚归高峰。",
    "org.status": "状态",
    "org.count": "共 {n} 项",
    "org.list_sep": "、",
    "org.paren": "（{text}）",
    "org.labelled": "{label}：{text}",
    "org.actions": "操作",
    "org.grade.1": "一级（最高）",
    "org.grade.2": "二级",
    "org.grade.3": "三级",
    "org.type.office": "写字楼",
    "org.type.residential": "住宅小区",
    "org.type.mixed": "综合（商住混合）",
    "org.site.back": "← 全部项目",
    "org.site.tabs": "项目内容",
    "org.site.tab.settings": "设置",
    "org.site.tab.areas": "区域",
    "org.site.tab.posts": "岗位",
    "org.site.tab.teams": "班组",
    "org.site.settings": "项目设置",
    "org.site.read_only": "只有管理员可以修改项目设置。",
    "org.site.clear_hint": "清空时间即不设此时段。",
    "org.site.deactivate": "停用项目",
    "org.site.reactivate": "重新启用项目",
    "org.site.deactivate_q": "停用项目“{name}”？停用后此项目不再排班和巡更，记录仍保留，可随时重新启用。",
    "org.site.reactivate_q": "重新启用项目“{name}”？",
    "org.site.deactivated": "项目已停用。",
    "org.site.reactivated": "项目已重新启用。",
    "org.site.active_title": "启用与停用",
    "org.areas.list": "区域",
    "org.areas.add": "添加区域",
    "org.areas.edit": "修改区域：{name}",
    "org.area_type": "区域类型",
    "org.posts.list": "岗位",
    "org.posts.add": "添加岗位",
    "org.posts.edit": "修改岗位：{name}",
    "org.post_kind": "岗位类型",
    "org.post_area": "所在区域",
    "org.post_key": "重点岗位（不得脱岗）",
    "org.post_key_short": "重点",
    "org.no_area": "（不指定）",
    "org.teams.list": "班组",
    "org.teams.add": "添加班组",
    "org.teams.edit": "修改班组：{name}",
    "org.added": "已添加“{name}”。",
    "org.saved": "已保存“{name}”。",
    "org.deactivate_q": "停用“{name}”？记录仍保留，可随时重新启用。",
    "org.reactivate_q": "重新启用“{name}”？",
    "org.deactivated": "已停用“{name}”。",
    "org.reactivated": "已重新启用“{name}”。",
    "org.view_only": "您可以查看；只有{who}可以修改。",
    "org.who.admin": "管理员",
    "org.who.admin_hr": "管理员和人事",
    "org.area.lobby": "大堂",
    "org.area.lift": "电梯",
    "org.area.stairwell": "楼梯间",
    "org.area.corridor": "走廊",
    "org.area.restroom": "洗手间",
    "org.area.garage": "停车库",
    "org.area.garden": "花园绿地",
    "org.area.gate": "道口",
    "org.area.retail": "裙房商业",
    "org.area.exterior": "外围",
    "org.area.waste_point": "垃圾收集点",
    "org.area.plant_room": "设备房",
    "org.area.roof": "天台",
    "org.area.other": "其他",
    "org.post.gate": "道口岗",
    "org.post.lobby": "大堂岗",
    "org.post.service_desk": "服务中心",
    "org.post.patrol": "巡逻岗",
    "org.post.other": "其他",
    "org.service.cleaning": "保洁",
    "org.service.greening": "绿化",
    "org.service.pest_control": "消杀",
    "org.contractors.title": "服务供方",
    "org.contractors.list": "全部服务供方",
    "org.contractors.add": "添加服务供方",
    "org.contractors.edit": "修改服务供方：{name}",
    "org.contractors.kinds": "服务内容",
    "org.contractors.contact": "联系人",
    "org.contractors.phone": "电话",
    "org.contractors.areas": "服务区域",
    "org.contractors.areas_of": "{site} · {kind}",
    "org.contractors.taken": "（现由 {name} 负责）",
    "org.contractors.no_areas": "未指定区域",
    "org.contractors.no_kinds": "先勾选服务内容，再勾选各项目中由其负责的区域。",
    "org.contractors.count": "{n} 个区域",
    "org.contractors.take_over": "勾选已由其他供方负责的区域，会改由此供方负责。",
  },
  en: {
    "org.menu.sites": "Sites",
    "org.menu.contractors": "Contractors",
    "org.sites.title": "Sites",
    "org.sites.list": "My sites",
    "org.sites.add": "New site",
    "org.sites.added": "Site “{name}” created.",
    "org.sites.open": "Open",
    "org.name": "Name",
    "org.code": "Code",
    "org.code_hint": "2–16 capital letters, digits or '-'; printed on the checkpoint labels.",
    "org.site_type": "Type",
    "org.timezone": "Time zone",
    "org.timezone_hint": "IANA name; Asia/Shanghai for mainland China.",
    "org.service_grade": "Service grade",
    "org.address": "Address",
    "org.workday_start": "Working day starts",
    "org.workday_hint": "Morning greeting duty at office towers starts then.",
    "org.evening_peak_start": "Evening return peak starts",
    "org.evening_peak_end": "Evening return peak ends",
    "org.evening_hint": "Evening greeting duty at estates is in this window.",
    "org.default_hint":
      "Empty times take the type's default: 09:00 for offices and mixed sites, 18:00–18:30 for estates and mixed sites.",
    "org.status": "Status",
    "org.count": "{n} in all",
    "org.list_sep": ", ",
    "org.paren": " ({text})",
    "org.labelled": "{label}: {text}",
    "org.actions": "Actions",
    "org.grade.1": "Grade 1 (highest)",
    "org.grade.2": "Grade 2",
    "org.grade.3": "Grade 3",
    "org.type.office": "Office tower",
    "org.type.residential": "Residential estate",
    "org.type.mixed": "Mixed use",
    "org.site.back": "← All sites",
    "org.site.tabs": "Parts of the site",
    "org.site.tab.settings": "Settings",
    "org.site.tab.areas": "Areas",
    "org.site.tab.posts": "Posts",
    "org.site.tab.teams": "Teams",
    "org.site.settings": "Site settings",
    "org.site.read_only": "Only an administrator may change the site's settings.",
    "org.site.clear_hint": "An emptied time means no such window.",
    "org.site.deactivate": "Deactivate site",
    "org.site.reactivate": "Reactivate site",
    "org.site.deactivate_q":
      "Deactivate the site “{name}”? It gets no more rotas or patrols; its records are kept and it can be reactivated.",
    "org.site.reactivate_q": "Reactivate the site “{name}”?",
    "org.site.deactivated": "The site is deactivated.",
    "org.site.reactivated": "The site is active again.",
    "org.site.active_title": "Active or not",
    "org.areas.list": "Areas",
    "org.areas.add": "Add an area",
    "org.areas.edit": "Change area: {name}",
    "org.area_type": "Area type",
    "org.posts.list": "Posts",
    "org.posts.add": "Add a post",
    "org.posts.edit": "Change post: {name}",
    "org.post_kind": "Kind of post",
    "org.post_area": "Area",
    "org.post_key": "Key post (never left unattended)",
    "org.post_key_short": "Key",
    "org.no_area": "(none)",
    "org.teams.list": "Teams",
    "org.teams.add": "Add a team",
    "org.teams.edit": "Change team: {name}",
    "org.added": "“{name}” added.",
    "org.saved": "“{name}” saved.",
    "org.deactivate_q": "Deactivate “{name}”? Its records are kept and it can be reactivated.",
    "org.reactivate_q": "Reactivate “{name}”?",
    "org.deactivated": "“{name}” deactivated.",
    "org.reactivated": "“{name}” reactivated.",
    "org.view_only": "You may look; only {who} may change this.",
    "org.who.admin": "administrators",
    "org.who.admin_hr": "administrators and HR",
    "org.area.lobby": "Lobby",
    "org.area.lift": "Lifts",
    "org.area.stairwell": "Stairwell",
    "org.area.corridor": "Corridor",
    "org.area.restroom": "Restroom",
    "org.area.garage": "Parking garage",
    "org.area.garden": "Garden",
    "org.area.gate": "Gate",
    "org.area.retail": "Retail podium",
    "org.area.exterior": "Exterior",
    "org.area.waste_point": "Waste point",
    "org.area.plant_room": "Plant room",
    "org.area.roof": "Roof",
    "org.area.other": "Other",
    "org.post.gate": "Gate post",
    "org.post.lobby": "Lobby post",
    "org.post.service_desk": "Service desk",
    "org.post.patrol": "Patrol",
    "org.post.other": "Other",
    "org.service.cleaning": "Cleaning",
    "org.service.greening": "Greening",
    "org.service.pest_control": "Pest control",
    "org.contractors.title": "Contractors",
    "org.contractors.list": "All contractors",
    "org.contractors.add": "Add a contractor",
    "org.contractors.edit": "Change contractor: {name}",
    "org.contractors.kinds": "Services",
    "org.contractors.contact": "Contact",
    "org.contractors.phone": "Phone",
    "org.contractors.areas": "Areas served",
    "org.contractors.areas_of": "{site} · {kind}",
    "org.contractors.taken": "(now served by {name})",
    "org.contractors.no_areas": "No areas",
    "org.contractors.no_kinds": "Tick the services first, then the areas of each site it serves.",
    "org.contractors.count": "{n} areas",
    "org.contractors.take_over": "Ticking an area another contractor serves moves it to this one.",
  },
};

function me() {
  return session()?.user || {};
}

function can(...allowed) {
  return allowed.includes(me().role);
}

export function nav(user) {
  if (!OFFICE_ROLES.includes(user.role)) return [];
  return [
    { route: "sites", label: t("org.menu.sites"), group: "org" },
    { route: "contractors", label: t("org.menu.contractors"), group: "org" },
  ];
}

// --- small pieces shared by the screens of this module (people.js uses some) ------------------

/** A list place and a form place beside it on a desk, one above the other on a phone. */
export function split(main, side) {
  const wrap = h("div", { class: "org-split" }, main, side);
  Object.assign(wrap.style, { display: "flex", flexWrap: "wrap", gap: "16px", alignItems: "flex-start" });
  Object.assign(main.style, { flex: "3 1 460px", minWidth: "0" });
  if (side) Object.assign(side.style, { flex: "1 1 320px", minWidth: "0", maxWidth: "100%" });
  return wrap;
}

/** Put a record's values into a form's controls (checkbox lists by value). */
export function fillForm(form, record) {
  for (const control of form.elements) {
    if (!control.name || !(control.name in record)) continue;
    const value = record[control.name];
    if (control.type === "checkbox") {
      control.checked = Array.isArray(value) ? value.map(String).includes(control.value) : Boolean(value);
    } else {
      control.value = value === null || value === undefined ? "" : String(value);
    }
  }
}

/**
 * A card whose form adds a record, or changes the record picked with edit(record).
 *   editor({id: "area-form", answerId, addTitle, editTitle: (r) => …, body, defaults,
 *           send: (values, editing) => api(…), ok: (result, editing) => text, after})
 * folded: the form stays hidden until open() (to add) or edit(record), and 取消 hides it again
 * (for screens whose list needs the whole width).
 */
export function editor({
  id,
  answerId,
  addTitle,
  editTitle,
  body,
  defaults = {},
  send,
  ok,
  after,
  onMode,
  folded = false,
}) {
  const heading = cardTitle(`${id}-title`, addTitle);
  const submit = h("button", { type: "submit", class: "primary", id: `${id}-submit` }, t("ui.add"));
  const cancel = h("button", { type: "button", id: `${id}-cancel`, hidden: !folded }, t("ui.cancel"));
  const answer = answerBox({ id: answerId });
  const form = h(
    "form",
    { id, class: "card", novalidate: true, "aria-labelledby": heading.id, hidden: folded },
    heading,
    body,
    h("div", {}, submit, cancel),
    answer,
  );
  let editing = null;
  const self = {
    form,
    answer,
    editing: () => editing,
    edit(record) {
      editing = record;
      markFieldErrors(form, null);
      answer.clear();
      fillForm(form, { ...defaults, ...record });
      heading.textContent = editTitle(record);
      submit.textContent = t("ui.save");
      cancel.hidden = false;
      form.hidden = false;
      if (onMode) onMode(record);
      self.focus();
    },
    open() {
      self.reset();
      answer.clear();
      form.hidden = false;
      self.focus();
    },
    focus() {
      form.scrollIntoView({ block: "nearest" });
      form.querySelector("input:not([type=checkbox]):not(:disabled), select")?.focus();
    },
    reset() {
      editing = null;
      markFieldErrors(form, null);
      fillForm(form, defaults);
      heading.textContent = addTitle;
      submit.textContent = t("ui.add");
      cancel.hidden = !folded;
      if (onMode) onMode(null);
    },
  };
  fillForm(form, defaults);
  onSubmit(form, answer, (values) => send(values, editing), {
    ok: (result) => ok(result, editing),
    after: async (result) => {
      self.reset();
      if (after) await after(result);
    },
  });
  cancel.addEventListener("click", () => {
    self.reset();
    answer.clear();
    if (folded) form.hidden = true;
  });
  return self;
}

/** A row's 修改 button: opens the record in the screen's form (`#<kind>-edit-<id>`). */
export function editButton(kind, record, form) {
  return h(
    "button",
    {
      type: "button",
      class: "small",
      id: `${kind}-edit-${record.id}`,
      "data-action": "edit",
      onclick: () => form.edit(record),
    },
    t("ui.edit"),
  );
}

/** A 停用 / 重新启用 button for one row, asked first, answered in the list's answer box. */
export function toggleButton(record, answer, patch, after, { id, name = record.name, question } = {}) {
  const label = record.active ? t("ui.deactivate") : t("ui.reactivate");
  return actionButton(label, answer, () => patch({ active: !record.active }), {
    question: question || t(record.active ? "org.deactivate_q" : "org.reactivate_q", { name }),
    ok: () => t(record.active ? "org.deactivated" : "org.reactivated", { name }),
    after,
    danger: record.active,
    attrs: { class: record.active ? "small danger" : "small", id, "data-action": "toggle" },
  });
}

/**
 * table() whose cells keep to one line (a phone scrolls the table sideways instead of stacking
 * 写字楼 one character a line); columns marked `wrap: true` (names, lists) may wrap.
 */
export function grid(columns, rows, options) {
  const node = table(columns, rows, options);
  const cells = node.querySelectorAll("tr");
  for (const row of cells) {
    [...row.children].forEach((cell, index) => {
      if (!columns[index]?.wrap) cell.style.whiteSpace = "nowrap";
      else cell.style.minWidth = "7em";
    });
  }
  return node;
}

/** Names in a list, with the language's separator (、 or ,). */
export function joined(items) {
  return items.join(t("org.list_sep"));
}

/** A remark in brackets after a name: 张伟（HRZX-001） / Zhang Wei (HRZX-001). */
export function paren(text) {
  return t("org.paren", { text });
}

/** The h2 at the top of a card (without the gap a heading between sections has). */
export function cardTitle(id, text) {
  const heading = h("h2", { id }, text);
  heading.style.marginTop = "4px";
  return heading;
}

/** Fields side by side, their labels on one line even when one of them has a hint below. */
export function row(...children) {
  const node = h("div", { class: "row" }, ...children);
  node.style.alignItems = "flex-start";
  // A field may be narrower than an input's default width, so two fit beside each other.
  for (const child of node.children) Object.assign(child.style, { minWidth: "0", flex: "1 1 150px" });
  return node;
}

function listPlace(id) {
  return h("div", { id, class: "list-place" }, h("p", { class: "muted" }, t("ui.loading")));
}

export const areaType = (code) => t(`org.area.${code}`);
const siteType = (code) => t(`org.type.${code}`);
const postKind = (code) => t(`org.post.${code}`);
export const serviceKind = (code) => t(`org.service.${code}`);

function timeInput(name) {
  return h("input", { name, type: "time", step: "60" });
}

/** The site fields POST /api/sites and PATCH take (create leaves empty windows to the type). */
function siteFields({ idPrefix, create = false }) {
  const zones = h(
    "datalist",
    { id: `${idPrefix}-zones` },
    TIME_ZONES.map((z) => h("option", { value: z })),
  );
  const code = h("input", {
    name: "code",
    required: true,
    maxlength: "16",
    autocapitalize: "characters",
    spellcheck: "false",
  });
  code.addEventListener("input", () => {
    const upper = code.value.toUpperCase();
    if (upper !== code.value) code.value = upper;
  });
  return [
    row(
      field(t("org.name"), h("input", { name: "name", required: true, maxlength: "100" })),
      field(t("org.code"), code, t("org.code_hint")),
    ),
    row(
      field(
        t("org.site_type"),
        select(
          "site_type",
          SITE_TYPES.map((s) => [s, siteType(s)]),
          "office",
        ),
      ),
      field(
        t("org.service_grade"),
        select(
          "service_grade",
          [1, 2, 3].map((g) => [g, t(`org.grade.${g}`)]),
          2,
          { "data-type": "int" },
        ),
      ),
    ),
    row(
      field(
        t("org.timezone"),
        h("input", { name: "timezone", list: zones.id, maxlength: "64", spellcheck: "false" }),
        t("org.timezone_hint"),
      ),
      zones,
      field(t("org.address"), h("input", { name: "address", maxlength: "200" })),
    ),
    row(field(t("org.workday_start"), timeInput("workday_start"), t("org.workday_hint"))),
    row(
      field(t("org.evening_peak_start"), timeInput("evening_peak_start")),
      field(t("org.evening_peak_end"), timeInput("evening_peak_end")),
    ),
    h("p", { class: "hint muted small" }, t("org.evening_hint")),
    create ? h("p", { class: "hint muted small" }, t("org.default_hint")) : null,
  ];
}

const TIME_FIELDS = ["workday_start", "evening_peak_start", "evening_peak_end"];

// --- sites ---------------------------------------------------------------------------------------

async function renderSites(view) {
  view.append(h("h1", {}, t("org.sites.title")));
  const listAnswer = answerBox({ id: "site-list-answer" });
  const place = listPlace("site-list");
  const main = h(
    "section",
    { "aria-labelledby": "site-list-title" },
    h("h2", { id: "site-list-title" }, t("org.sites.list")),
    place,
    listAnswer,
  );

  async function load() {
    try {
      const sites = await mySites();
      place.replaceChildren(
        grid(
          [
            {
              label: t("org.name"),
              value: (s) => h("a", { href: `#/site/${s.id}`, class: "site-link" }, s.name),
              wrap: true,
            },
            { label: t("org.code"), value: (s) => s.code },
            { label: t("org.site_type"), value: (s) => siteType(s.site_type) },
            { label: t("org.timezone"), value: (s) => s.timezone },
            { label: t("org.service_grade"), value: (s) => t(`org.grade.${s.service_grade}`) },
            { label: t("org.status"), value: (s) => activeBadge(s.active) },
          ],
          sites,
          { caption: t("org.count", { n: sites.length }), rowAttrs: (s) => ({ "data-id": s.id }) },
        ),
      );
    } catch (error) {
      place.replaceChildren();
      listAnswer.refused(error);
    }
  }

  let side = null;
  if (can("admin")) {
    const form = editor({
      id: "site-form",
      answerId: "site-answer",
      addTitle: t("org.sites.add"),
      editTitle: () => t("org.sites.add"),
      body: siteFields({ idPrefix: "site-form", create: true }),
      defaults: {
        site_type: "office",
        service_grade: 2,
        timezone: "Asia/Shanghai",
        code: "",
        name: "",
        address: "",
      },
      send: (values) => {
        const json = { ...values };
        for (const name of TIME_FIELDS) if (!json[name]) delete json[name];
        if (!json.address) delete json.address;
        return api("POST", "/sites", { json });
      },
      ok: (site) => t("org.sites.added", { name: site.name }),
      after: load,
    });
    side = form.form;
  }
  view.append(split(main, side));
  await load();
}

// --- one site ------------------------------------------------------------------------------------

const SITE_TABS = ["settings", "areas", "posts", "teams"];

async function renderSite(view, [siteId, tab = "settings"]) {
  const id = Number(siteId);
  if (!SITE_TABS.includes(tab)) tab = "settings";
  const site = await api("GET", `/sites/${id}`);
  const title = h("h1", { id: "site-title" }, site.name, " ", activeBadge(site.active));
  view.append(h("p", {}, h("a", { href: "#/sites", id: "site-back" }, t("org.site.back"))), title);
  view.append(
    h(
      "nav",
      { class: "tabs", "aria-label": t("org.site.tabs") },
      SITE_TABS.map((name) =>
        h(
          "a",
          {
            href: `#/site/${id}/${name}`,
            id: `site-tab-${name}`,
            "aria-current": name === tab ? "page" : null,
          },
          t(`org.site.tab.${name}`),
        ),
      ),
    ),
  );
  if (tab === "settings") renderSiteSettings(view, site);
  else if (tab === "areas") await renderAreas(view, site);
  else if (tab === "posts") await renderPosts(view, site);
  else await renderTeams(view, site);
}

function renderSiteSettings(view, site) {
  const admin = can("admin");
  const answer = answerBox({ id: "site-settings-answer" });
  const body = h("fieldset", { class: "plain", disabled: !admin }, siteFields({ idPrefix: "site-settings" }));
  Object.assign(body.style, { border: "0", padding: "0", margin: "0" });
  const form = h(
    "form",
    { id: "site-settings-form", class: "card", novalidate: true, "aria-labelledby": "site-settings-title" },
    cardTitle("site-settings-title", t("org.site.settings")),
    admin ? null : h("p", { class: "muted" }, t("org.site.read_only")),
    body,
    admin ? h("p", { class: "hint muted small" }, t("org.site.clear_hint")) : null,
    admin
      ? h("button", { type: "submit", class: "primary", id: "site-settings-submit" }, t("ui.save"))
      : null,
    answer,
  );
  fillForm(form, site);
  onSubmit(
    form,
    answer,
    (values) => {
      const json = { ...values };
      for (const name of TIME_FIELDS) json[name] = json[name] || null;
      return api("PATCH", `/sites/${site.id}`, { json });
    },
    {
      ok: (saved) => t("org.saved", { name: saved.name }),
      after: (saved) => {
        Object.assign(site, saved);
        fillForm(form, saved);
        document.getElementById("site-title").firstChild.textContent = saved.name;
      },
    },
  );
  let activeCard = null;
  if (admin) {
    const activeAnswer = answerBox({ id: "site-active-answer" });
    const status = h("p", {}, activeBadge(site.active));
    const place = h("div", {});
    const draw = () => {
      const label = site.active ? t("org.site.deactivate") : t("org.site.reactivate");
      const question = t(site.active ? "org.site.deactivate_q" : "org.site.reactivate_q", {
        name: site.name,
      });
      place.replaceChildren(
        actionButton(
          label,
          activeAnswer,
          () => api("PATCH", `/sites/${site.id}`, { json: { active: !site.active } }),
          {
            question: question,
            ok: (saved) => t(saved.active ? "org.site.reactivated" : "org.site.deactivated"),
            after: (saved) => {
              Object.assign(site, saved);
              status.replaceChildren(activeBadge(site.active));
              document.getElementById("site-title").lastChild.replaceWith(activeBadge(site.active));
              draw();
            },
            danger: site.active,
            attrs: { id: "site-active-button", class: site.active ? "danger" : "" },
          },
        ),
      );
    };
    draw();
    activeCard = h(
      "section",
      { class: "card", "aria-labelledby": "site-active-title" },
      cardTitle("site-active-title", t("org.site.active_title")),
      status,
      place,
      activeAnswer,
    );
  }
  view.append(split(form, activeCard));
}

/**
 * One list of a site's parts (areas, posts, teams) with its answer box, and the form beside it
 * for those who may write.
 */
async function renderPartList(view, site, spec) {
  const { kind, path, columns, writers, body, defaults, toJson } = spec;
  const writable = can(...writers);
  const listAnswer = answerBox({ id: `${kind}-list-answer` });
  const place = listPlace(`${kind}-list`);
  const listTitle = t(`org.${kind}s.list`);
  const main = h(
    "section",
    { "aria-labelledby": `${kind}-list-title` },
    h("h2", { id: `${kind}-list-title` }, listTitle),
    writable ? null : h("p", { class: "muted" }, t("org.view_only", { who: t(spec.who) })),
    place,
    listAnswer,
  );
  let form = null;

  async function load() {
    let rows;
    try {
      rows = await fetchAll(path, { site_id: site.id });
    } catch (error) {
      place.replaceChildren();
      listAnswer.refused(error);
      return;
    }
    if (spec.loaded) await spec.loaded(rows);
    const all = [...columns, { label: t("org.status"), value: (r) => activeBadge(r.active) }];
    if (writable) {
      all.push({
        label: t("org.actions"),
        value: (r) => [
          h(
            "button",
            {
              type: "button",
              class: "small",
              id: `${kind}-edit-${r.id}`,
              "data-action": "edit",
              onclick: () => form.edit(r),
            },
            t("ui.edit"),
          ),
          toggleButton(r, listAnswer, (json) => api("PATCH", `${path}/${r.id}`, { json }), load, {
            id: `${kind}-toggle-${r.id}`,
          }),
        ],
      });
    }
    rows.sort((a, b) => Number(b.active) - Number(a.active));
    place.replaceChildren(
      grid(all, rows, {
        caption: t("org.count", { n: rows.length }),
        rowAttrs: (r) => ({ "data-id": r.id }),
      }),
    );
  }

  if (writable) {
    form = editor({
      id: `${kind}-form`,
      answerId: `${kind}-answer`,
      addTitle: t(`org.${kind}s.add`),
      editTitle: (r) => t(`org.${kind}s.edit`, { name: r.name }),
      body: body(),
      defaults,
      send: (values, editing) => {
        const json = toJson ? toJson(values, editing) : values;
        return editing
          ? api("PATCH", `${path}/${editing.id}`, { json })
          : api("POST", path, { json: { ...json, site_id: site.id } });
      },
      ok: (saved, editing) => t(editing ? "org.saved" : "org.added", { name: saved.name }),
      after: load,
    });
  }
  view.append(split(main, form ? form.form : null));
  await load();
  return { load, form };
}

async function renderAreas(view, site) {
  await renderPartList(view, site, {
    kind: "area",
    path: "/areas",
    writers: ["admin"],
    who: "org.who.admin",
    columns: [
      { label: t("org.name"), value: (a) => a.name, wrap: true },
      { label: t("org.area_type"), value: (a) => areaType(a.area_type) },
    ],
    defaults: { name: "", area_type: "lobby" },
    body: () =>
      row(
        field(t("org.name"), h("input", { name: "name", required: true, maxlength: "100" })),
        field(
          t("org.area_type"),
          select(
            "area_type",
            AREA_TYPES.map((a) => [a, areaType(a)]),
            "lobby",
          ),
        ),
      ),
  });
}

async function renderPosts(view, site) {
  const areas = await fetchAll("/areas", { site_id: site.id });
  const areaName = new Map(areas.map((a) => [a.id, a.name]));
  const areaOptions = [["", t("org.no_area")], ...areas.filter((a) => a.active).map((a) => [a.id, a.name])];
  await renderPartList(view, site, {
    kind: "post",
    path: "/posts",
    writers: ["admin"],
    who: "org.who.admin",
    columns: [
      { label: t("org.name"), value: (p) => p.name, wrap: true },
      { label: t("org.post_kind"), value: (p) => postKind(p.kind) },
      {
        label: t("org.post_area"),
        value: (p) => (p.area_id ? areaName.get(p.area_id) || `#${p.area_id}` : ""),
      },
      {
        label: t("org.post_key_short"),
        value: (p) => (p.is_key_post ? h("span", { class: "badge warn" }, t("org.post_key_short")) : ""),
      },
    ],
    defaults: { name: "", kind: "gate", area_id: "", is_key_post: false },
    body: () => [
      row(
        field(t("org.name"), h("input", { name: "name", required: true, maxlength: "100" })),
        field(
          t("org.post_kind"),
          select(
            "kind",
            POST_KINDS.map((k) => [k, postKind(k)]),
            "gate",
          ),
        ),
      ),
      field(t("org.post_area"), select("area_id", areaOptions, "", { "data-type": "int" })),
      h(
        "div",
        { class: "checks" },
        h(
          "label",
          {},
          h("input", { type: "checkbox", name: "is_key_post", id: uniqueId("is-key-post") }),
          t("org.post_key"),
        ),
      ),
    ],
  });
}

async function renderTeams(view, site) {
  await renderPartList(view, site, {
    kind: "team",
    path: "/teams",
    writers: ["admin", "hr"],
    who: "org.who.admin_hr",
    columns: [{ label: t("org.name"), value: (team) => team.name, wrap: true }],
    defaults: { name: "" },
    body: () => field(t("org.name"), h("input", { name: "name", required: true, maxlength: "100" })),
  });
}

// --- contractors ---------------------------------------------------------------------------------

async function renderContractors(view) {
  view.append(h("h1", {}, t("org.contractors.title")));
  const writable = can("admin");
  const [sites, areas] = await Promise.all([mySites(), fetchAll("/areas")]);
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const areaById = new Map(areas.map((a) => [a.id, a]));
  let contractors = [];

  const listAnswer = answerBox({ id: "contractor-list-answer" });
  const place = listPlace("contractor-list");
  const main = h(
    "section",
    { "aria-labelledby": "contractor-list-title" },
    h("h2", { id: "contractor-list-title" }, t("org.contractors.list")),
    writable ? null : h("p", { class: "muted" }, t("org.view_only", { who: t("org.who.admin") })),
    place,
    listAnswer,
  );

  function areasText(links) {
    if (!links.length) return h("span", { class: "muted" }, t("org.contractors.no_areas"));
    const byKind = new Map();
    for (const link of links) {
      const area = areaById.get(link.area_id);
      const name = area ? area.name : `#${link.area_id}`;
      if (!byKind.has(link.kind)) byKind.set(link.kind, []);
      byKind.get(link.kind).push(name);
    }
    return [...byKind].map(([kind, names]) =>
      h("div", { class: "small" }, t("org.labelled", { label: serviceKind(kind), text: joined(names) })),
    );
  }

  let form = null;
  async function load() {
    try {
      contractors = await fetchAll("/contractors");
    } catch (error) {
      place.replaceChildren();
      listAnswer.refused(error);
      return;
    }
    const columns = [
      { label: t("org.name"), value: (c) => c.name, wrap: true },
      { label: t("org.contractors.kinds"), value: (c) => joined(c.service_kinds.map(serviceKind)) },
      {
        label: t("org.contractors.contact"),
        value: (c) => [c.contact_name, c.phone].filter(Boolean).join(" "),
        wrap: true,
      },
      { label: t("org.contractors.areas"), value: (c) => areasText(c.areas), wrap: true },
      { label: t("org.status"), value: (c) => activeBadge(c.active) },
    ];
    if (writable) {
      columns.push({
        label: t("org.actions"),
        value: (c) => [
          editButton("contractor", c, form),
          toggleButton(c, listAnswer, (json) => api("PATCH", `/contractors/${c.id}`, { json }), load, {
            id: `contractor-toggle-${c.id}`,
          }),
        ],
      });
    }
    const rows = [...contractors].sort((a, b) => Number(b.active) - Number(a.active));
    place.replaceChildren(
      grid(columns, rows, {
        caption: t("org.count", { n: rows.length }),
        rowAttrs: (c) => ({ "data-id": c.id }),
      }),
    );
    if (form) drawAreas();
  }

  // The areas part of the form: for each ticked service, each site's active areas.
  const areaPlace = h("div", { id: "contractor-areas" });
  let chosen = new Set(); // "areaId:kind"
  function kindsTicked() {
    return SERVICE_KINDS.filter(
      (k) => form.form.querySelector(`input[name=service_kinds][value=${k}]`).checked,
    );
  }
  function drawAreas() {
    const editing = form.editing();
    const kinds = kindsTicked();
    areaPlace.replaceChildren();
    if (!kinds.length) {
      areaPlace.append(h("p", { class: "muted small" }, t("org.contractors.no_kinds")));
      return;
    }
    const holder = new Map();
    for (const c of contractors) {
      if (editing && c.id === editing.id) continue;
      for (const link of c.areas) holder.set(`${link.area_id}:${link.kind}`, c.name);
    }
    let anyTaken = false;
    for (const site of sites) {
      for (const kind of kinds) {
        const mine = areas.filter(
          (a) => a.site_id === site.id && (a.active || chosen.has(`${a.id}:${kind}`)),
        );
        if (!mine.length) continue;
        const boxes = mine.map((a) => {
          const key = `${a.id}:${kind}`;
          const box = h("input", {
            type: "checkbox",
            name: "area_links",
            value: key,
            id: `contractor-area-${a.id}-${kind}`,
            "data-skip": "",
          });
          box.checked = chosen.has(key);
          box.addEventListener("change", () => {
            if (box.checked) chosen.add(key);
            else chosen.delete(key);
          });
          const taken = holder.get(key);
          if (taken) anyTaken = true;
          return h(
            "label",
            {},
            box,
            a.name,
            taken ? h("span", { class: "muted small" }, t("org.contractors.taken", { name: taken })) : null,
          );
        });
        areaPlace.append(
          h(
            "fieldset",
            {},
            h("legend", {}, t("org.contractors.areas_of", { site: site.name, kind: serviceKind(kind) })),
            h("div", { class: "checks" }, boxes),
          ),
        );
      }
    }
    if (anyTaken) areaPlace.append(h("p", { class: "hint muted small" }, t("org.contractors.take_over")));
  }

  if (writable) {
    const kindsBox = h(
      "fieldset",
      {},
      h("legend", {}, t("org.contractors.kinds")),
      h(
        "div",
        { class: "checks" },
        SERVICE_KINDS.map((k) =>
          h(
            "label",
            {},
            h("input", {
              type: "checkbox",
              name: "service_kinds",
              value: k,
              id: `contractor-kind-${k}`,
              "data-skip": "",
            }),
            serviceKind(k),
          ),
        ),
      ),
      // markFieldErrors writes next to the first control named service_kinds.
      h("small", { class: "field-error", id: "contractor-kind-cleaning-error" }),
    );
    form = editor({
      id: "contractor-form",
      answerId: "contractor-answer",
      addTitle: t("org.contractors.add"),
      editTitle: (c) => t("org.contractors.edit", { name: c.name }),
      body: [
        field(t("org.name"), h("input", { name: "name", required: true, maxlength: "100" })),
        kindsBox,
        row(
          field(t("org.contractors.contact"), h("input", { name: "contact_name", maxlength: "50" })),
          field(t("org.contractors.phone"), h("input", { name: "phone", type: "tel", maxlength: "32" })),
        ),
        h("fieldset", {}, h("legend", {}, t("org.contractors.areas")), areaPlace),
      ],
      defaults: { name: "", contact_name: "", phone: "", service_kinds: [] },
      send: (values, editing) => {
        const kinds = kindsTicked();
        const links = [...chosen]
          .map((key) => key.split(":"))
          .filter(([, kind]) => kinds.includes(kind))
          .map(([areaId, kind]) => ({ area_id: Number(areaId), kind }));
        const json = { ...values, service_kinds: kinds, areas: links };
        return editing
          ? api("PATCH", `/contractors/${editing.id}`, { json })
          : api("POST", "/contractors", { json });
      },
      ok: (saved, editing) => t(editing ? "org.saved" : "org.added", { name: saved.name }),
      after: load,
      onMode: (record) => {
        chosen = new Set((record?.areas || []).map((l) => `${l.area_id}:${l.kind}`));
        drawAreas();
      },
    });
    for (const box of form.form.querySelectorAll("input[name=service_kinds]")) {
      box.addEventListener("change", drawAreas);
    }
    drawAreas();
  }
  view.append(split(main, form ? form.form : null));
  await load();
}

export const routes = {
  sites: renderSites,
  site: renderSite,
  contractors: renderContractors,
};
