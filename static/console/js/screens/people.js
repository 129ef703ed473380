// People 人员: the staff 员工 of each site (added one by one or imported from the Excel template)
// and the user accounts 账号 that sign in. Admins and HR keep the staff, admins the accounts;
// every office role may look at the staff. The API decides; a refusal is said beside the action.
import { download } from "/app/js/api.js";
import { session } from "/app/js/session.js";
import {
  actionButton,
  activeBadge,
  answerBox,
  api,
  fetchAll,
  field,
  h,
  lang,
  mySites,
  reason,
  select,
  sitePicker,
  t,
} from "../ui.js";
import { cardTitle, editButton, editor, grid, joined, paren, row, split, toggleButton } from "./org.js";

// The product's names for the job codes (models/exports.py JOB_NAMES) and genders
// (models/staff_import.py GENDER_NAMES), the words HR sees in the exports and the template.
const JOBS = ["guard", "cleaner", "gardener", "service_desk", "manager", "supervisor", "engineer", "other"];
const GENDERS = ["male", "female"];
const ROLES = ["admin", "hr", "supervisor", "manager", "guard", "staff"];
const OFFICE_ROLES = ["admin", "hr", "supervisor", "manager"];

export const messages = {
  zh: {
    "people.menu.staff": "员工",
    "people.menu.import": "员工导入",
    "people.menu.users": "账号",
    "people.job.guard": "护卫员",
    "people.job.cleaner": "保洁员",
    "people.job.gardener": "绿化员",
    "people.job.service_desk": "客服",
    "people.job.manager": "管理人员",
    "people.job.supervisor": "主管",
    "people.job.engineer": "工程",
    "people.job.other": "其他",
    "people.gender.male": "男",
    "people.gender.female": "女",
    "people.employee_no": "工号",
    "people.name": "姓名",
    "people.gender": "性别",
    "people.job": "岗位",
    "people.team": "班组",
    "people.phone": "手机",
    "people.areas": "负责区域",
    "people.site": "项目",
    "people.status": "状态",
    "people.actions": "操作",
    "people.no_team": "（无班组）",
    "people.all_teams": "全部班组",
    "people.all_jobs": "全部岗位",
    "people.all": "全部",
    "people.active_only": "在职",
    "people.inactive_only": "已停用（离职）",
    "people.find": "查找",
    "people.q": "姓名或工号",
    "people.count": "共 {n} 人",
    "people.staff.title": "员工",
    "people.staff.filter": "筛选",
    "people.staff.list": "员工名单",
    "people.staff.add": "新增员工",
    "people.staff.edit": "修改员工：{name}",
    "people.staff.added": "已新增员工“{name}”（{no}）。",
    "people.staff.saved": "已保存员工“{name}”（{no}）。",
    "people.staff.leave_q": "停用员工“{name}”（{no}）？离职时停用，记录保留，可随时重新启用。",
    "people.staff.back_q": "重新启用员工“{name}”（{no}）？",
    "people.staff.no_areas": "此项目还没有区域。",
    "people.staff.add_areas": "去添加区域",
    "people.staff.view_only": "您可以查看；只有管理员和人事可以修改。",
    "people.staff.no_sites": "您还没有可管理的项目。",
    "people.staff.employee_no_hint": "字母、数字或“-”，最多 32 位。",
    "people.staff.move_hint": "换到另一个项目时，原项目的班组和负责区域会清除。",
    "people.import.title": "员工导入",
    "people.import.intro":
      "用 Excel 模板批量新增或更新员工：按工号匹配，已有工号的更新，新工号的新增。先预览，没有问题才能导入；有一处问题则整个文件都不导入。",
    "people.import.step1": "第一步：下载模板并填写",
    "people.import.template": "下载导入模板",
    "people.import.template_ok": "模板已下载。",
    "people.import.template_hint": "模板的“说明”表列出每一列可填的内容，以及您的项目名称和编码。",
    "people.import.step2": "第二步：上传并预览",
    "people.import.file": "填好的文件（.xlsx）",
    "people.import.preview": "预览",
    "people.import.commit": "导入",
    "people.import.choose_file": "请先选择文件。",
    "people.import.previewed": "预览完成：将新增 {created} 人，更新 {updated} 人，{unchanged} 人不变。",
    "people.import.previewed_problems": "文件中有 {n} 处问题，请改正后重新上传预览。",
    "people.import.committed": "已导入：新增 {created} 人，更新 {updated} 人，{unchanged} 人不变。",
    "people.import.refused": "未导入：文件中有 {n} 处问题，请改正后重新上传。",
    "people.import.commit_hint": "预览没有问题后才能导入。",
    "people.import.file_changed": "文件已更换，请重新预览。",
    "people.import.problems": "问题（{n} 处）",
    "people.import.row": "行",
    "people.import.column": "列",
    "people.import.message": "问题",
    "people.import.new_teams": "将新建的班组",
    "people.import.new_teams_done": "已新建的班组",
    "people.import.rows": "各行内容（{n} 行）",
    "people.import.rows_hint": "行号即 Excel 中的行号；有问题的行标为红色。",
    "people.import.action": "处理",
    "people.import.action.create": "新增",
    "people.import.action.update": "更新",
    "people.import.action.unchanged": "不变",
    "people.import.action.invalid": "有问题",
    "people.import.changes": "改动：{fields}",
    "people.import.field.name": "姓名",
    "people.import.field.gender": "性别",
    "people.import.field.job": "岗位",
    "people.import.field.site_id": "项目",
    "people.import.field.team_id": "班组",
    "people.import.field.phone": "手机",
    "people.users.title": "账号",
    "people.users.filter": "筛选",
    "people.users.list": "账号列表",
    "people.users.add": "新建账号",
    "people.users.edit": "修改账号：{name}",
    "people.users.added": "已新建账号“{name}”。",
    "people.users.saved": "已保存账号“{name}”。",
    "people.users.username": "账号（登录名）",
    "people.users.username_hint": "3–64 位小写字母、数字、“.”、“_”或“-”。",
    "people.users.display_name": "显示名称",
    "people.users.password": "初始密码",
    "people.users.password_hint": "至少 10 个字符。请当面或电话告知本人。",
    "people.users.generate": "随机生成",
    "people.users.role": "角色",
    "people.users.sites": "项目",
    "people.users.sites_hint": "管理员可不选（管理全部项目）；其他角色至少选一个。",
    "people.users.staff": "关联员工",
    "people.users.staff_hint": "护卫员和员工的手机端需要关联本人；只列出所选项目的在职员工。",
    "people.users.no_staff": "（不关联）",
    "people.users.has_account": "— 已有账号 {name}",
    "people.users.language": "语言",
    "people.users.all_roles": "全部角色",
    "people.users.all_sites": "全部项目",
    "people.users.every_site": "全部项目（管理员）",
    "people.users.count": "共 {n} 个账号",
    "people.users.reset": "重置密码",
    "people.users.reset_title": "重置密码：{name}",
    "people.users.new_password": "新密码",
    "people.users.reset_button": "重置",
    "people.users.reset_done":
      "已重置“{name}”的密码。新密码：{password}（只显示这一次，请告知本人；其原有登录已全部失效）",
    "people.users.disable_q": "停用账号“{name}”？其登录立即失效，可随时重新启用。",
    "people.users.enable_q": "重新启用账号“{name}”？",
    "people.users.disable": "停用",
    "people.users.enable": "启用",
    "people.lang.zh": "中文",
    "people.lang.en": "English",
  },
  en: {
    "people.menu.staff": "Staff",
    "people.menu.import": "Import staff",
    "people.menu.users": "Accounts",
    "people.job.guard": "Guard",
    "people.job.cleaner": "Cleaner",
    "people.job.gardener": "Gardener",
    "people.job.service_desk": "Service desk",
    "people.job.manager": "Manager",
    "people.job.supervisor": "Supervisor",
    "people.job.engineer": "Engineer",
    "people.job.other": "Other",
    "people.gender.male": "Male",
    "people.gender.female": "Female",
    "people.employee_no": "Employee no.",
    "people.name": "Name",
    "people.gender": "Gender",
    "people.job": "Job",
    "people.team": "Team",
    "people.phone": "Mobile",
    "people.areas": "Areas responsible for",
    "people.site": "Site",
    "people.status": "Status",
    "people.actions": "Actions",
    "people.no_team": "(no team)",
    "people.all_teams": "All teams",
    "people.all_jobs": "All jobs",
    "people.all": "All",
    "people.active_only": "Working here",
    "people.inactive_only": "Deactivated (left)",
    "people.find": "Find",
    "people.q": "Name or employee no.",
    "people.count": "{n} people",
    "people.staff.title": "Staff",
    "people.staff.filter": "Filter",
    "people.staff.list": "Staff list",
    "people.staff.add": "Add a member of staff",
    "people.staff.edit": "Change: {name}",
    "people.staff.added": "{name} ({no}) added.",
    "people.staff.saved": "{name} ({no}) saved.",
    "people.staff.leave_q":
      "Deactivate {name} ({no})? Do this when they leave; the records are kept and they can be reactivated.",
    "people.staff.back_q": "Reactivate {name} ({no})?",
    "people.staff.no_areas": "This site has no areas yet.",
    "people.staff.add_areas": "Add areas",
    "people.staff.view_only": "You may look; only administrators and HR may change staff.",
    "people.staff.no_sites": "You have no sites yet.",
    "people.staff.employee_no_hint": "Letters, digits or '-', at most 32.",
    "people.staff.move_hint": "Moving to another site clears the old site's team and areas.",
    "people.import.title": "Import staff",
    "people.import.intro":
      "Add or update many people at once from the Excel template: rows match on the employee number (a known number updates, a new one adds). Preview first; a file is imported only without problems, and one problem stops the whole file.",
    "people.import.step1": "Step 1: download the template and fill it in",
    "people.import.template": "Download the import template",
    "people.import.template_ok": "Template downloaded.",
    "people.import.template_hint":
      "The template's 说明 sheet lists what each column takes, with your sites' names and codes.",
    "people.import.step2": "Step 2: upload and preview",
    "people.import.file": "The filled-in file (.xlsx)",
    "people.import.preview": "Preview",
    "people.import.commit": "Import",
    "people.import.choose_file": "Choose a file first.",
    "people.import.previewed": "Preview: {created} to add, {updated} to update, {unchanged} unchanged.",
    "people.import.previewed_problems": "The file has {n} problem(s); correct them and preview again.",
    "people.import.committed": "Imported: {created} added, {updated} updated, {unchanged} unchanged.",
    "people.import.refused": "Not imported: the file has {n} problem(s); correct them and upload again.",
    "people.import.commit_hint": "Import is possible after a preview without problems.",
    "people.import.file_changed": "Another file was chosen: preview it again.",
    "people.import.problems": "Problems ({n})",
    "people.import.row": "Row",
    "people.import.column": "Column",
    "people.import.message": "Problem",
    "people.import.new_teams": "Teams the import creates",
    "people.import.new_teams_done": "Teams created",
    "people.import.rows": "Rows ({n})",
    "people.import.rows_hint": "Row numbers are the spreadsheet's; rows with problems are red.",
    "people.import.action": "Action",
    "people.import.action.create": "Add",
    "people.import.action.update": "Update",
    "people.import.action.unchanged": "Unchanged",
    "people.import.action.invalid": "Has problems",
    "people.import.changes": "Changes: {fields}",
    "people.import.field.name": "name",
    "people.import.field.gender": "gender",
    "people.import.field.job": "job",
    "people.import.field.site_id": "site",
    "people.import.field.team_id": "team",
    "people.import.field.phone": "mobile",
    "people.users.title": "Accounts",
    "people.users.filter": "Filter",
    "people.users.list": "Accounts",
    "people.users.add": "New account",
    "people.users.edit": "Change account: {name}",
    "people.users.added": "Account “{name}” created.",
    "people.users.saved": "Account “{name}” saved.",
    "people.users.username": "User name (to sign in)",
    "people.users.username_hint": "3–64 lowercase letters, digits, '.', '_' or '-'.",
    "people.users.display_name": "Display name",
    "people.users.password": "First password",
    "people.users.password_hint": "At least 10 characters. Tell it to the person face to face or by phone.",
    "people.users.generate": "Generate",
    "people.users.role": "Role",
    "people.users.sites": "Sites",
    "people.users.sites_hint":
      "Administrators may have none (all sites); every other role needs one at least.",
    "people.users.staff": "Linked member of staff",
    "people.users.staff_hint":
      "Guards' and staff's phones need their own staff record; only active staff of the ticked sites are listed.",
    "people.users.no_staff": "(none)",
    "people.users.has_account": "— has the account {name}",
    "people.users.language": "Language",
    "people.users.all_roles": "All roles",
    "people.users.all_sites": "All sites",
    "people.users.every_site": "All sites (administrator)",
    "people.users.count": "{n} accounts",
    "people.users.reset": "Reset password",
    "people.users.reset_title": "Reset password: {name}",
    "people.users.new_password": "New password",
    "people.users.reset_button": "Reset",
    "people.users.reset_done":
      "Password of “{name}” reset. New password: {password} (shown only this once: tell it to them; their sessions have all ended)",
    "people.users.disable_q":
      "Disable the account “{name}”? It is signed out at once and can be enabled again.",
    "people.users.enable_q": "Enable the account “{name}” again?",
    "people.users.disable": "Disable",
    "people.users.enable": "Enable",
    "people.lang.zh": "中文",
    "people.lang.en": "English",
  },
};

function me() {
  return session()?.user || {};
}

function can(...allowed) {
  return allowed.includes(me().role);
}

export function nav(user) {
  const entries = [];
  if (OFFICE_ROLES.includes(user.role))
    entries.push({ route: "staff", label: t("people.menu.staff"), group: "people" });
  if (["admin", "hr"].includes(user.role)) {
    entries.push({ route: "staff-import", label: t("people.menu.import"), group: "people" });
  }
  if (user.role === "admin") entries.push({ route: "users", label: t("people.menu.users"), group: "people" });
  return entries;
}

export const jobName = (code) => (code ? t(`people.job.${code}`) : "");
export const genderName = (code) => (code ? t(`people.gender.${code}`) : "");

function listPlace(id) {
  return h("div", { id }, h("p", { class: "muted" }, t("ui.loading")));
}

/** A filter bar: a row of narrow fields in a card. */
function filterBar(id, title, ...fields) {
  const line = row(...fields);
  line.style.alignItems = "flex-end";
  for (const child of line.children) Object.assign(child.style, { flex: "1 1 140px", maxWidth: "260px" });
  return h("form", { id, class: "card", role: "search", "aria-label": title, novalidate: true }, line);
}

/** The button above a list that opens its folded form. */
function addButton(id, label, form) {
  const button = h("button", { type: "button", class: "primary", id }, label);
  button.addEventListener("click", () => form.open());
  return h("p", {}, button);
}

// --- staff ---------------------------------------------------------------------------------------

async function renderStaff(view) {
  view.append(h("h1", {}, t("people.staff.title")));
  const writable = can("admin", "hr");
  const sites = await mySites();
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("people.staff.no_sites")));
    return;
  }
  const siteName = new Map(sites.map((s) => [s.id, s.name]));

  // Teams and areas per site, read once per screen.
  const parts = new Map();
  function partsOf(siteId) {
    if (!parts.has(siteId)) {
      parts.set(
        siteId,
        Promise.all([fetchAll("/teams", { site_id: siteId }), fetchAll("/areas", { site_id: siteId })]).then(
          ([teams, areas]) => ({ teams, areas }),
        ),
      );
    }
    return parts.get(siteId);
  }

  const picker = sitePicker(sites, () => siteChanged());
  const teamFilter = select("team_id", [["", t("people.all_teams")]], "", {
    id: "staff-filter-team",
    "data-type": "int",
  });
  const jobFilter = select("job", [["", t("people.all_jobs")], ...JOBS.map((j) => [j, jobName(j)])], "", {
    id: "staff-filter-job",
  });
  const activeFilter = select(
    "active",
    [
      ["true", t("people.active_only")],
      ["false", t("people.inactive_only")],
      ["", t("people.all")],
    ],
    "true",
    { id: "staff-filter-active" },
  );
  const q = h("input", { name: "q", type: "search", id: "staff-filter-q", maxlength: "50" });
  const findButton = h("button", { type: "submit", id: "staff-filter-submit" }, t("people.find"));
  const filters = filterBar(
    "staff-filter",
    t("people.staff.filter"),
    picker.node,
    field(t("people.team"), teamFilter),
    field(t("people.job"), jobFilter),
    field(t("people.status"), activeFilter),
    field(t("people.q"), q),
    h("div", { class: "field" }, findButton),
  );
  filters.querySelector("#staff-filter-submit").parentNode.style.flex = "0 0 auto";
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  for (const control of [teamFilter, jobFilter, activeFilter]) {
    control.addEventListener("change", () => {
      listAnswer.clear();
      load();
    });
  }
  view.append(filters);

  const listAnswer = answerBox({ id: "staff-list-answer" });
  const place = listPlace("staff-list");
  const main = h(
    "section",
    { "aria-labelledby": "staff-list-title" },
    h("h2", { id: "staff-list-title" }, t("people.staff.list")),
    writable ? null : h("p", { class: "muted" }, t("people.staff.view_only")),
    place,
    listAnswer,
  );

  // The form: its team choices and area boxes follow the site chosen in it.
  let form = null;
  const formTeam = select("team_id", [["", t("people.no_team")]], "", { "data-type": "int" });
  const formSite = select(
    "site_id",
    sites.map((s) => [s.id, s.name]),
    picker.value(),
    { "data-type": "int" },
  );
  const areaPlace = h("div", { class: "checks", id: "staff-form-areas" });
  const defaults = {
    employee_no: "",
    name: "",
    gender: "",
    job: "",
    site_id: picker.value(),
    team_id: "",
    phone: "",
    area_ids: [],
  };

  async function drawFormParts(siteId, { team_id: teamId = null, area_ids: areaIds = [] } = {}) {
    const { teams, areas } = await partsOf(siteId);
    formTeam.replaceChildren(
      ...[
        ["", t("people.no_team")],
        ...teams.filter((x) => x.active || x.id === teamId).map((x) => [x.id, x.name]),
      ].map(([value, text]) => h("option", { value: String(value) }, text)),
    );
    formTeam.value = teamId ? String(teamId) : "";
    const shown = areas.filter((a) => a.active || areaIds.includes(a.id));
    areaPlace.replaceChildren(
      ...(shown.length
        ? shown.map((a) => {
            const box = h("input", {
              type: "checkbox",
              name: "area_ids",
              value: String(a.id),
              "data-type": "int-list",
              id: `staff-area-${a.id}`,
            });
            box.checked = areaIds.includes(a.id);
            return h("label", { for: box.id }, box, a.name);
          })
        : [
            h(
              "p",
              { class: "muted small" },
              t("people.staff.no_areas"),
              " ",
              can("admin") ? h("a", { href: `#/site/${siteId}/areas` }, t("people.staff.add_areas")) : null,
            ),
          ]),
    );
  }

  async function drawFilterTeams(siteId) {
    const { teams } = await partsOf(siteId);
    const kept = teamFilter.value;
    teamFilter.replaceChildren(
      ...[
        ["", t("people.all_teams")],
        ...teams.map((x) => [x.id, x.active ? x.name : x.name + paren(t("ui.inactive"))]),
      ].map(([value, text]) => h("option", { value: String(value) }, text)),
    );
    teamFilter.value = teams.some((x) => String(x.id) === kept) ? kept : "";
  }

  let teamName = new Map();
  let areaName = new Map();
  async function load() {
    const siteId = picker.value();
    let rows;
    try {
      const [{ teams, areas }, staff] = await Promise.all([
        partsOf(siteId),
        fetchAll("/staff", {
          site_id: siteId,
          team_id: teamFilter.value,
          job: jobFilter.value,
          active: activeFilter.value,
          q: q.value.trim(),
        }),
      ]);
      teamName = new Map(teams.map((x) => [x.id, x.name]));
      areaName = new Map(areas.map((a) => [a.id, a.name]));
      rows = staff;
    } catch (error) {
      place.replaceChildren();
      listAnswer.refused(error);
      return;
    }
    const columns = [
      { label: t("people.employee_no"), value: (s) => s.employee_no },
      { label: t("people.name"), value: (s) => s.name, wrap: true },
      { label: t("people.gender"), value: (s) => genderName(s.gender) },
      { label: t("people.job"), value: (s) => jobName(s.job) },
      {
        label: t("people.team"),
        value: (s) => (s.team_id ? teamName.get(s.team_id) || `#${s.team_id}` : ""),
      },
      { label: t("people.phone"), value: (s) => s.phone },
      {
        label: t("people.areas"),
        value: (s) => joined(s.area_ids.map((id) => areaName.get(id) || `#${id}`)),
        wrap: true,
      },
      { label: t("people.status"), value: (s) => activeBadge(s.active) },
    ];
    if (writable) {
      columns.push({
        label: t("people.actions"),
        value: (s) => [
          editButton("staff", s, form),
          toggleButton(s, listAnswer, (json) => api("PATCH", `/staff/${s.id}`, { json }), load, {
            id: `staff-toggle-${s.id}`,
            name: s.name,
            question: t(s.active ? "people.staff.leave_q" : "people.staff.back_q", {
              name: s.name,
              no: s.employee_no,
            }),
          }),
        ],
      });
    }
    place.replaceChildren(
      grid(columns, rows, {
        caption: t("people.count", { n: rows.length }),
        rowAttrs: (s) => ({ "data-id": s.id }),
      }),
    );
  }

  async function siteChanged() {
    const siteId = picker.value();
    defaults.site_id = siteId;
    await drawFilterTeams(siteId);
    if (form && !form.editing()) {
      formSite.value = String(siteId);
      await drawFormParts(siteId);
    }
    await load();
  }

  if (writable) {
    formSite.addEventListener("change", () => {
      // Back at the person's own site: their team and areas again; another site starts empty.
      const editing = form.editing();
      const siteId = Number(formSite.value);
      drawFormParts(siteId, editing && editing.site_id === siteId ? editing : {});
    });
    form = editor({
      id: "staff-form",
      answerId: "staff-answer",
      addTitle: t("people.staff.add"),
      editTitle: (s) => t("people.staff.edit", { name: s.name }),
      body: [
        row(
          field(
            t("people.employee_no"),
            h("input", { name: "employee_no", required: true, maxlength: "32", spellcheck: "false" }),
            t("people.staff.employee_no_hint"),
          ),
          field(t("people.name"), h("input", { name: "name", required: true, maxlength: "50" })),
          field(
            t("people.gender"),
            select("gender", [["", t("ui.choose")], ...GENDERS.map((g) => [g, genderName(g)])], ""),
          ),
          field(
            t("people.job"),
            select("job", [["", t("ui.choose")], ...JOBS.map((j) => [j, jobName(j)])], ""),
          ),
        ),
        row(
          field(t("people.site"), formSite, t("people.staff.move_hint")),
          field(t("people.team"), formTeam),
          field(t("people.phone"), h("input", { name: "phone", type: "tel", maxlength: "32" })),
        ),
        h("fieldset", {}, h("legend", {}, t("people.areas")), areaPlace),
      ],
      defaults,
      send: (values, editing) =>
        editing
          ? api("PATCH", `/staff/${editing.id}`, { json: values })
          : api("POST", "/staff", { json: values }),
      ok: (saved, editing) =>
        t(editing ? "people.staff.saved" : "people.staff.added", { name: saved.name, no: saved.employee_no }),
      after: load,
      onMode: (record) => drawFormParts(record ? record.site_id : picker.value(), record || {}),
      folded: true,
    });
  }
  // The list needs the whole width for its columns: the form opens above it when asked for.
  if (form) view.append(addButton("staff-add", t("people.staff.add"), form), form.form);
  view.append(main);
  await drawFilterTeams(picker.value());
  if (form) await drawFormParts(picker.value());
  await load();
}

// --- staff import --------------------------------------------------------------------------------

/** What the server said about a file it refused whole (its Chinese words in errors.files.file). */
function importReason(error) {
  const zh = error?.errors?.files?.file?.[0];
  if (lang() === "zh" && typeof zh === "string") return zh;
  if (lang() !== "zh" && error?.body?.message) return error.body.message;
  return reason(error);
}

async function renderStaffImport(view) {
  view.append(h("h1", {}, t("people.import.title")));
  view.append(h("p", { class: "muted" }, t("people.import.intro")));
  const sites = await mySites();
  const siteName = new Map(sites.map((s) => [s.id, s.name]));

  const templateAnswer = answerBox({ id: "staff-import-template-answer" });
  const templateButton = h(
    "button",
    { type: "button", id: "staff-import-template" },
    t("people.import.template"),
  );
  templateButton.addEventListener("click", async () => {
    if (templateButton.disabled) return;
    templateButton.disabled = true;
    templateAnswer.busy();
    try {
      await download("/staff/import-template.xlsx", "员工导入模板.xlsx");
      templateAnswer.ok(t("people.import.template_ok"));
    } catch (error) {
      templateAnswer.refused(error);
    } finally {
      templateButton.disabled = false;
    }
  });
  const step1 = h(
    "section",
    { class: "card", "aria-labelledby": "staff-import-step1" },
    cardTitle("staff-import-step1", t("people.import.step1")),
    h("p", { class: "muted small" }, t("people.import.template_hint")),
    templateButton,
    templateAnswer,
  );

  const file = h("input", {
    type: "file",
    name: "file",
    id: "staff-import-file",
    accept: ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  });
  const previewButton = h(
    "button",
    { type: "submit", class: "primary", id: "staff-import-preview" },
    t("people.import.preview"),
  );
  const commitButton = h(
    "button",
    {
      type: "button",
      id: "staff-import-commit",
      disabled: true,
      "aria-describedby": "staff-import-commit-hint",
    },
    t("people.import.commit"),
  );
  const answer = answerBox({ id: "staff-import-answer" });
  const result = h("div", { id: "staff-import-result" });
  const form = h(
    "form",
    { id: "staff-import-form", class: "card", novalidate: true, "aria-labelledby": "staff-import-step2" },
    cardTitle("staff-import-step2", t("people.import.step2")),
    field(t("people.import.file"), file),
    h("div", {}, previewButton, commitButton),
    h("small", { class: "hint muted", id: "staff-import-commit-hint" }, t("people.import.commit_hint")),
    answer,
  );
  const steps = h("div", { class: "columns" }, step1, form);
  steps.style.alignItems = "start";
  view.append(steps, result);

  let previewed = null; // the File the last clean preview was of
  let busy = false;
  const setBusy = (value) => {
    busy = value;
    previewButton.disabled = value;
    commitButton.disabled = value || !previewed || previewed !== file.files[0];
  };
  file.addEventListener("change", () => {
    if (previewed) answer.clear();
    previewed = null;
    result.replaceChildren();
    setBusy(busy);
  });

  async function send(commit) {
    const chosen = file.files[0];
    if (!chosen) {
      answer.className = "answer error";
      answer.textContent = t("people.import.choose_file");
      file.focus();
      return;
    }
    if (busy) return;
    setBusy(true);
    answer.busy();
    const body = new FormData();
    body.append("file", chosen);
    body.append("commit", commit ? "true" : "false");
    try {
      const outcome = await api("POST", "/staff/import", { form: body });
      const counts = { created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged };
      if (outcome.committed) {
        answer.ok(t("people.import.committed", counts));
        previewed = null;
      } else if (outcome.problems.length) {
        answer.className = "answer error";
        answer.textContent = t("people.import.previewed_problems", { n: outcome.problems.length });
        previewed = null;
      } else {
        answer.ok(t("people.import.previewed", counts));
        previewed = chosen;
      }
      showOutcome(outcome);
    } catch (error) {
      previewed = null;
      const problems = error?.errors?.rows;
      if (Array.isArray(problems)) {
        answer.className = "answer error";
        answer.textContent = t("people.import.refused", { n: problems.length });
        showOutcome({ rows: [], problems, new_teams: [], committed: false });
      } else {
        answer.className = "answer error";
        answer.textContent = t("ui.error", { message: importReason(error) });
        result.replaceChildren();
      }
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(false);
  });
  commitButton.addEventListener("click", () => send(true));

  function showOutcome(outcome) {
    result.replaceChildren();
    const problemRows = new Set(outcome.problems.map((p) => p.row));
    if (outcome.problems.length) {
      result.append(
        h(
          "section",
          { id: "staff-import-problems", "aria-labelledby": "staff-import-problems-title" },
          h(
            "h2",
            { id: "staff-import-problems-title" },
            t("people.import.problems", { n: outcome.problems.length }),
          ),
          grid(
            [
              { label: t("people.import.row"), value: (p) => p.row, class: "num" },
              { label: t("people.import.column"), value: (p) => p.column },
              {
                label: t("people.import.message"),
                value: (p) => (lang() === "zh" ? p.message : p.message_en),
                wrap: true,
              },
            ],
            outcome.problems,
            {
              caption: t("people.import.rows_hint"),
              rowAttrs: (p) => ({ class: "problem", "data-row": p.row }),
            },
          ),
        ),
      );
    }
    if (outcome.new_teams.length) {
      result.append(
        h(
          "section",
          { id: "staff-import-new-teams", "aria-labelledby": "staff-import-new-teams-title" },
          h(
            "h2",
            { id: "staff-import-new-teams-title" },
            t(outcome.committed ? "people.import.new_teams_done" : "people.import.new_teams"),
          ),
          h(
            "ul",
            {},
            outcome.new_teams.map((team) =>
              h("li", {}, `${siteName.get(team.site_id) || `#${team.site_id}`} · ${team.name}`),
            ),
          ),
        ),
      );
    }
    if (outcome.rows.length) {
      const title = t("people.import.rows", { n: outcome.rows.length });
      result.append(
        h(
          "section",
          { id: "staff-import-rows", "aria-labelledby": "staff-import-rows-title" },
          h("h2", { id: "staff-import-rows-title" }, title),
          grid(
            [
              { label: t("people.import.row"), value: (r) => r.row, class: "num" },
              { label: t("people.employee_no"), value: (r) => r.employee_no },
              { label: t("people.name"), value: (r) => r.name, wrap: true },
              { label: t("people.gender"), value: (r) => genderName(r.gender) },
              { label: t("people.job"), value: (r) => jobName(r.job) },
              { label: t("people.team"), value: (r) => r.team || "" },
              {
                label: t("people.site"),
                value: (r) => (r.site_id ? siteName.get(r.site_id) || `#${r.site_id}` : ""),
              },
              { label: t("people.phone"), value: (r) => r.phone || "" },
              {
                label: t("people.import.action"),
                value: (r) => actionCell(r),
                wrap: true,
              },
            ],
            outcome.rows,
            {
              caption: t("people.import.rows_hint"),
              rowAttrs: (r) => ({
                "data-row": r.row,
                "data-action": r.action,
                class: problemRows.has(r.row) ? "problem" : null,
              }),
            },
          ),
        ),
      );
    }
  }

  function actionCell(r) {
    const badge = {
      create: "badge ok",
      update: "badge warn",
      unchanged: "badge muted",
      invalid: "badge error",
    };
    const parts = [h("span", { class: badge[r.action] || "badge" }, t(`people.import.action.${r.action}`))];
    if (r.action === "update" && r.changed?.length) {
      const fields = joined(r.changed.map((f) => t(`people.import.field.${f}`)));
      parts.push(h("div", { class: "small muted" }, t("people.import.changes", { fields })));
    }
    return parts;
  }
}

// --- user accounts -------------------------------------------------------------------------------

const PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A password to read out over the phone: 12 letters and digits, none that look alike. */
function newPassword() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => PASSWORD_LETTERS[b % PASSWORD_LETTERS.length]).join("");
}

function passwordInput(name, id) {
  const input = h("input", {
    name,
    id,
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    minlength: "10",
    maxlength: "200",
  });
  const generate = h(
    "button",
    { type: "button", class: "small", id: `${id}-generate` },
    t("people.users.generate"),
  );
  generate.addEventListener("click", () => {
    input.value = newPassword();
    input.focus();
  });
  return { input, generate };
}

/** Put a small button on the same line as the input it fills (inside the input's field). */
function besideInput(input, button) {
  const line = h("div", {});
  Object.assign(line.style, { display: "flex", gap: "6px", alignItems: "center" });
  input.replaceWith(line);
  input.style.flex = "1 1 auto";
  input.style.minWidth = "0";
  Object.assign(button.style, { whiteSpace: "nowrap", margin: "0" });
  line.append(input, button);
}

async function renderUsers(view) {
  view.append(h("h1", {}, t("people.users.title")));
  const [sites, staff] = await Promise.all([mySites(), fetchAll("/staff")]);
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const staffById = new Map(staff.map((s) => [s.id, s]));
  const staffText = (s) =>
    s.name + paren(joined([s.employee_no, siteName.get(s.site_id) || `#${s.site_id}`]));

  const roleFilter = select(
    "role",
    [["", t("people.users.all_roles")], ...ROLES.map((r) => [r, t(`role.${r}`)])],
    "",
    {
      id: "user-filter-role",
    },
  );
  const siteFilter = select(
    "site_id",
    [["", t("people.users.all_sites")], ...sites.map((s) => [s.id, s.name])],
    "",
    { id: "user-filter-site" },
  );
  const filters = filterBar(
    "user-filter",
    t("people.users.filter"),
    field(t("people.users.role"), roleFilter),
    field(t("people.site"), siteFilter),
  );
  filters.addEventListener("submit", (event) => event.preventDefault());
  for (const control of [roleFilter, siteFilter]) {
    control.addEventListener("change", () => {
      listAnswer.clear();
      load();
    });
  }

  const listAnswer = answerBox({ id: "user-list-answer" });
  const place = listPlace("user-list");
  const main = h(
    "section",
    { "aria-labelledby": "user-list-title" },
    h("h2", { id: "user-list-title" }, t("people.users.list")),
    filters,
    place,
    listAnswer,
  );

  // --- the account form (create, or change role, sites, staff link, language) ---
  const username = h("input", {
    name: "username",
    id: "user-username",
    maxlength: "64",
    autocomplete: "off",
    spellcheck: "false",
    autocapitalize: "none",
  });
  const password = passwordInput("password", "user-password");
  const usernameField = field(t("people.users.username"), username, t("people.users.username_hint"));
  const passwordField = field(t("people.users.password"), password.input, t("people.users.password_hint"));
  besideInput(password.input, password.generate);
  const displayName = h("input", { name: "display_name", id: "user-display-name", maxlength: "100" });
  const role = select(
    "role",
    ROLES.map((r) => [r, t(`role.${r}`)]),
    "guard",
    { id: "user-role" },
  );
  const siteBoxes = h(
    "div",
    { class: "checks" },
    sites.map((s) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          name: "site_ids",
          value: String(s.id),
          "data-type": "int-list",
          id: `user-site-${s.id}`,
        }),
        s.active ? s.name : s.name + paren(t("ui.inactive")),
      ),
    ),
  );
  const sitesBox = h(
    "fieldset",
    { "aria-describedby": "user-sites-hint" },
    h("legend", {}, t("people.users.sites")),
    siteBoxes,
    h("small", { class: "hint muted", id: "user-sites-hint" }, t("people.users.sites_hint")),
    // markFieldErrors writes next to the first control named site_ids.
    sites.length ? h("small", { class: "field-error", id: `user-site-${sites[0].id}-error` }) : null,
  );
  const staffSelect = select("staff_id", [["", t("people.users.no_staff")]], "", {
    id: "user-staff",
    "data-type": "int",
  });
  const language = select(
    "language",
    [
      ["zh", t("people.lang.zh")],
      ["en", t("people.lang.en")],
    ],
    "zh",
    { id: "user-language" },
  );

  let accountOf = new Map(); // staff id → the account linked to them

  function tickedSites() {
    return [...siteBoxes.querySelectorAll("input:checked")].map((box) => Number(box.value));
  }
  function drawStaffOptions(keep = staffSelect.value) {
    const ticked = tickedSites();
    const shown = staff.filter(
      (s) => (s.active && (!ticked.length || ticked.includes(s.site_id))) || String(s.id) === String(keep),
    );
    // One account per member of staff: those with another account are shown, not offered.
    const editing = form?.editing();
    staffSelect.replaceChildren(
      h("option", { value: "" }, t("people.users.no_staff")),
      ...shown.map((s) => {
        const holder = accountOf.get(s.id);
        const taken = holder && holder.id !== editing?.id;
        return h(
          "option",
          { value: String(s.id), disabled: taken },
          taken
            ? `${staffText(s)} ${t("people.users.has_account", { name: holder.username })}`
            : staffText(s),
        );
      }),
    );
    staffSelect.value = shown.some((s) => String(s.id) === String(keep)) ? String(keep) : "";
  }
  siteBoxes.addEventListener("change", () => drawStaffOptions());
  staffSelect.addEventListener("change", () => {
    const chosen = staffById.get(Number(staffSelect.value));
    if (chosen && !displayName.value.trim()) displayName.value = chosen.name;
  });

  const form = editor({
    id: "user-form",
    answerId: "user-answer",
    addTitle: t("people.users.add"),
    editTitle: (u) => t("people.users.edit", { name: u.username }),
    body: [
      row(usernameField, passwordField),
      row(field(t("people.users.display_name"), displayName), field(t("people.users.role"), role)),
      sitesBox,
      row(
        field(t("people.users.staff"), staffSelect, t("people.users.staff_hint")),
        field(t("people.users.language"), language),
      ),
    ],
    defaults: {
      username: "",
      password: "",
      display_name: "",
      role: "guard",
      site_ids: [],
      staff_id: "",
      language: "zh",
    },
    send: (values, editing) => {
      if (editing) return api("PATCH", `/users/${editing.id}`, { json: values });
      return api("POST", "/users", { json: values });
    },
    ok: (saved, editing) =>
      t(editing ? "people.users.saved" : "people.users.added", { name: saved.username }),
    after: load,
    onMode: (record) => {
      // A user name is for ever; a password is changed with 重置密码, never here.
      for (const [node, control] of [
        [usernameField, username],
        [passwordField, password.input],
      ]) {
        node.hidden = Boolean(record);
        control.disabled = Boolean(record);
      }
      drawStaffOptions(record ? (record.staff_id ?? "") : "");
    },
    folded: true,
  });

  // --- resetting a password: typed (or generated) by the admin, said once in the answer ---
  const reset = passwordInput("password", "user-new-password");
  const resetTitle = cardTitle("user-password-title", "");
  const resetAnswer = answerBox({ id: "user-password-answer" });
  const resetSubmit = h(
    "button",
    { type: "submit", class: "primary", id: "user-password-submit" },
    t("people.users.reset_button"),
  );
  const resetCancel = h("button", { type: "button", id: "user-password-cancel" }, t("ui.cancel"));
  const resetField = field(t("people.users.new_password"), reset.input, t("people.users.password_hint"));
  besideInput(reset.input, reset.generate);
  const resetForm = h(
    "form",
    {
      id: "user-password-form",
      class: "card",
      novalidate: true,
      hidden: true,
      "aria-labelledby": resetTitle.id,
    },
    resetTitle,
    resetField,
    h("div", {}, resetSubmit, resetCancel),
    resetAnswer,
  );
  let resetting = null;
  function startReset(user) {
    resetting = user;
    resetTitle.textContent = t("people.users.reset_title", { name: user.username });
    reset.input.value = "";
    reset.input.removeAttribute("aria-invalid");
    resetForm.querySelector(".field-error").textContent = "";
    resetAnswer.clear();
    resetForm.hidden = false;
    resetForm.scrollIntoView({ block: "nearest" });
    reset.input.focus();
  }
  resetCancel.addEventListener("click", () => {
    resetting = null;
    reset.input.value = "";
    resetAnswer.clear();
    resetForm.hidden = true;
  });
  resetForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!resetting || resetSubmit.disabled) return;
    const user = resetting;
    const typed = reset.input.value;
    resetSubmit.disabled = true;
    resetAnswer.busy();
    const slot = resetForm.querySelector(".field-error");
    try {
      await api("PATCH", `/users/${user.id}`, { json: { password: typed } });
      slot.textContent = "";
      reset.input.removeAttribute("aria-invalid");
      reset.input.value = "";
      resetAnswer.ok(t("people.users.reset_done", { name: user.username, password: typed }));
    } catch (error) {
      const said = error?.errors?.json?.password;
      slot.textContent = said ? [said].flat().join(" ") : "";
      if (said) reset.input.setAttribute("aria-invalid", "true");
      resetAnswer.refused(error);
    } finally {
      resetSubmit.disabled = false;
    }
  });

  async function load() {
    let users;
    try {
      const filtered = roleFilter.value || siteFilter.value;
      const [shown, all] = await Promise.all([
        fetchAll("/users", { role: roleFilter.value, site_id: siteFilter.value }),
        filtered ? fetchAll("/users") : null,
      ]);
      users = shown;
      accountOf = new Map((all || shown).filter((u) => u.staff_id).map((u) => [u.staff_id, u]));
    } catch (error) {
      place.replaceChildren();
      listAnswer.refused(error);
      return;
    }
    const columns = [
      { label: t("people.users.username"), value: (u) => u.username },
      { label: t("people.users.display_name"), value: (u) => u.display_name, wrap: true },
      { label: t("people.users.role"), value: (u) => t(`role.${u.role}`) },
      {
        label: t("people.users.sites"),
        value: (u) =>
          u.role === "admin" && !u.site_ids.length
            ? t("people.users.every_site")
            : joined(u.site_ids.map((id) => siteName.get(id) || `#${id}`)),
        wrap: true,
      },
      {
        label: t("people.users.staff"),
        value: (u) => {
          if (!u.staff_id) return "";
          const s = staffById.get(u.staff_id);
          return s ? s.name + paren(s.employee_no) : `#${u.staff_id}`;
        },
        wrap: true,
      },
      { label: t("people.status"), value: (u) => activeBadge(u.active) },
      {
        label: t("people.actions"),
        value: (u) => [
          editButton("user", u, form),
          h(
            "button",
            {
              type: "button",
              class: "small",
              id: `user-reset-${u.id}`,
              "data-action": "reset-password",
              onclick: () => startReset(u),
            },
            t("people.users.reset"),
          ),
          actionButton(
            u.active ? t("people.users.disable") : t("people.users.enable"),
            listAnswer,
            () => api("PATCH", `/users/${u.id}`, { json: { active: !u.active } }),
            {
              question: t(u.active ? "people.users.disable_q" : "people.users.enable_q", {
                name: u.username,
              }),
              ok: () => t(u.active ? "org.deactivated" : "org.reactivated", { name: u.username }),
              after: load,
              danger: u.active,
              attrs: {
                class: u.active ? "small danger" : "small",
                id: `user-toggle-${u.id}`,
                "data-action": "toggle",
              },
            },
          ),
        ],
      },
    ];
    drawStaffOptions();
    place.replaceChildren(
      grid(columns, users, {
        caption: t("people.users.count", { n: users.length }),
        rowAttrs: (u) => ({ "data-id": u.id }),
      }),
    );
  }

  // The list needs the whole width: the forms open above it when asked for, side by side.
  const formsRow = h("div", { class: "columns" }, form.form, resetForm);
  formsRow.style.alignItems = "start";
  view.append(addButton("user-add", t("people.users.add"), form), formsRow, main);
  await load();
}

export const routes = {
  staff: renderStaff,
  "staff-import": renderStaffImport,
  users: renderUsers,
};
