// The office console 办公后台: the shell (sign-in, the menu each role may use, the language
// switch and a hash router over the screen modules). It drives the same API as the phone app,
// with the same token, roles and site walls; it has no other way to the database.
//
// A screen module exports
//   messages = {zh: {...}, en: {...}}
//   routes = {"name": render}     render(view, params) fills the view; URL #/name/p1/p2
//   nav(user) → [{route, label, group}]   the menu entries this user's role may use
import { ApiError, api, setUnauthorizedHandler } from "/app/js/api.js";
import { h } from "/app/js/dom.js";
import { addMessages, lang, setLang, t } from "/app/js/i18n.js";
import { clearSession, saveSession, session, updateUser } from "/app/js/session.js";
import * as alerts from "./screens/alerts.js";
import * as board from "./screens/board.js";
import * as calendar from "./screens/calendar.js";
import * as followups from "./screens/followups.js";
import * as greeting from "./screens/greeting.js";
import * as org from "./screens/org.js";
import * as patrol from "./screens/patrol.js";
import * as people from "./screens/people.js";
import { answerBox, field, reason } from "./ui.js";

const MODULES = [board, org, people, patrol, greeting, calendar, alerts, followups];
const GROUPS = ["board", "org", "people", "patrol", "greeting", "alerts"];
const OFFICE_ROLES = new Set(["admin", "hr", "supervisor", "manager"]);

addMessages({
  zh: {
    "console.title": "巡检通 · 办公后台",
    "console.skip": "跳到正文",
    "console.menu": "菜单",
    "console.nav": "功能",
    "console.app": "手机端",
    "console.switch": "EN",
    "console.signout": "退出",
    "console.who": "{name}（{role}）",
    "console.signin": "登录办公后台",
    "console.username": "账号",
    "console.password": "密码",
    "console.signin_button": "登录",
    "console.signin_empty": "请填写账号和密码。",
    "console.signin_failed": "账号或密码不对。",
    "console.not_office": "您的账号（{role}）没有办公后台的功能，请用手机端。",
    "console.home": "您好，{name}",
    "console.home_hint":
      "从左侧菜单选择要做的事。第一次使用：先建项目，再建区域、岗位和班组，导入员工，开账号，然后布置巡更点、路线和排班。",
    "console.not_found": "找不到此页面。",
    "console.failed": "出错了：{message}",
    // The console keeps nothing for later (unlike the phone app): without a connection
    // nothing was saved, and it says so.
    "app.offline": "连不上服务器，没有保存。请检查网络后再试。",
    "group.board": "现场",
    "group.org": "组织",
    "group.people": "人员",
    "group.patrol": "巡更",
    "group.greeting": "迎候",
    "group.alerts": "提醒与审计",
    "role.admin": "管理员",
    "role.hr": "人事",
    "role.supervisor": "主管",
    "role.manager": "管理处",
    "role.guard": "护卫员",
    "role.staff": "员工",
  },
  en: {
    "console.title": "Xunjian · Office console",
    "console.skip": "Skip to content",
    "console.menu": "Menu",
    "console.nav": "Sections",
    "console.app": "Phone app",
    "console.switch": "中文",
    "console.signout": "Sign out",
    "console.who": "{name} ({role})",
    "console.signin": "Sign in to the office console",
    "console.username": "User name",
    "console.password": "Password",
    "console.signin_button": "Sign in",
    "console.signin_empty": "Enter your user name and password.",
    "console.signin_failed": "Wrong user name or password.",
    "console.not_office": "Your account ({role}) has nothing to do in the office console; use the phone app.",
    "console.home": "Hello, {name}",
    "console.home_hint":
      "Choose what to do from the menu. Setting up a company: sites first, then areas, posts and teams, import the staff, open accounts, then checkpoints, routes and schedules.",
    "console.not_found": "No such page.",
    "console.failed": "Something went wrong: {message}",
    "app.offline": "Cannot reach the server: nothing was saved. Check the connection and try again.",
    "group.board": "On site",
    "group.org": "Organisation",
    "group.people": "People",
    "group.patrol": "Patrol",
    "group.greeting": "Greeting duty",
    "group.alerts": "Alerts and audit",
    "role.admin": "Administrator",
    "role.hr": "HR",
    "role.supervisor": "Supervisor",
    "role.manager": "Manager",
    "role.guard": "Guard",
    "role.staff": "Staff",
  },
});

const routes = { "": renderHome, login: renderSignIn };
for (const module of MODULES) {
  addMessages(module.messages);
  Object.assign(routes, module.routes);
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { name: parts[0] || "", params: parts.slice(1).filter((p) => p !== "") };
}

export function navigate(route, ...params) {
  const hash = `#/${[route, ...params].map((p) => encodeURIComponent(String(p))).join("/")}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

function navEntries(user) {
  return MODULES.flatMap((module) => module.nav(user) || []);
}

function renderBar() {
  const current = session();
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
  document.title = t("console.title");
  document.querySelector(".skip").textContent = t("console.skip");
  document.getElementById("brand").textContent = t("console.title");
  document.getElementById("menu-toggle").textContent = t("console.menu");
  document.getElementById("to-app").textContent = t("console.app");
  document.getElementById("lang").textContent = t("console.switch");
  const signout = document.getElementById("signout");
  signout.textContent = t("console.signout");
  signout.hidden = !current;
  document.body.classList.toggle("signed-out", !current);
  const who = document.getElementById("who");
  who.textContent = current
    ? t("console.who", {
        name: current.user.display_name || current.user.username,
        role: t(`role.${current.user.role}`),
      })
    : "";
  renderNav(current?.user);
}

function renderNav(user) {
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("console.nav"));
  nav.replaceChildren();
  if (!user || !OFFICE_ROLES.has(user.role)) return;
  const { name } = parseHash();
  const entries = navEntries(user);
  for (const group of GROUPS) {
    const mine = entries.filter((e) => e.group === group);
    if (!mine.length) continue;
    const list = h("ul", {});
    for (const entry of mine) {
      const current = entry.route === name;
      list.append(
        h(
          "li",
          {},
          h("a", { href: `#/${entry.route}`, "aria-current": current ? "page" : null }, entry.label),
        ),
      );
    }
    nav.append(h("h2", {}, t(`group.${group}`)), list);
  }
}

let renderCount = 0;

async function render() {
  const { name, params } = parseHash();
  const main = document.getElementById("content");
  const view = h("div", { class: `screen screen-${name || "home"}` });
  main.replaceChildren(view);
  const number = ++renderCount;
  document.body.classList.remove("nav-open");
  document.getElementById("menu-toggle").setAttribute("aria-expanded", "false");
  renderBar();
  const current = session();
  if (!current && name !== "login") {
    if (name) sessionStorage.setItem("xj.console.wanted", location.hash);
    history.replaceState(null, "", "#/login");
    return render();
  }
  if (current && !OFFICE_ROLES.has(current.user.role) && name !== "login") {
    view.append(
      h("p", { class: "error" }, t("console.not_office", { role: t(`role.${current.user.role}`) })),
      h("a", { class: "button", href: "/app/" }, t("console.app")),
    );
    return;
  }
  const screen = routes[name];
  if (!screen) {
    view.append(h("p", { class: "error" }, t("console.not_found")));
    return;
  }
  try {
    await screen(view, params);
  } catch (error) {
    if (number !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) return;
    console.error(error);
    view.append(h("p", { class: "error", role: "alert" }, t("console.failed", { message: reason(error) })));
  }
}

function renderHome(view) {
  const { user } = session();
  view.append(h("h1", {}, t("console.home", { name: user.display_name || user.username })));
  view.append(h("p", { class: "muted" }, t("console.home_hint")));
  const entries = navEntries(user);
  for (const group of GROUPS) {
    const mine = entries.filter((e) => e.group === group);
    if (!mine.length) continue;
    view.append(
      h(
        "section",
        { class: "card home-group" },
        h("h2", {}, t(`group.${group}`)),
        h(
          "p",
          {},
          mine.map((e) => h("a", { class: "button", href: `#/${e.route}` }, e.label)),
        ),
      ),
    );
  }
}

function renderSignIn(view) {
  const username = h("input", {
    name: "username",
    id: "username",
    autocomplete: "username",
    maxlength: "64",
  });
  const password = h("input", {
    name: "password",
    id: "password",
    type: "password",
    autocomplete: "current-password",
    maxlength: "200",
  });
  const answer = answerBox({ id: "signin-answer" });
  const form = h(
    "form",
    { id: "signin-form", class: "card narrow", novalidate: true },
    h("h1", {}, t("console.signin")),
    field(t("console.username"), username),
    field(t("console.password"), password),
    h("button", { type: "submit", class: "primary" }, t("console.signin_button")),
    answer,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      answer.className = "answer error";
      answer.textContent = t("console.signin_empty");
      (username.value.trim() ? password : username).focus();
      return;
    }
    answer.busy();
    try {
      const result = await api("POST", "/auth/login", {
        json: { username: username.value.trim(), password: password.value },
      });
      saveSession(result);
      if (!localStorage.getItem("xj.lang") && result.user.language?.startsWith("en")) setLang("en");
      const wanted = sessionStorage.getItem("xj.console.wanted");
      sessionStorage.removeItem("xj.console.wanted");
      location.hash = wanted && !wanted.startsWith("#/login") ? wanted : "#/";
    } catch (error) {
      answer.className = "answer error";
      answer.textContent = error.status === 401 ? t("console.signin_failed") : reason(error);
    }
  });
  view.append(form);
  username.focus();
}

function start() {
  setLang(lang());
  setUnauthorizedHandler(() => {
    if (parseHash().name !== "login") {
      sessionStorage.setItem("xj.console.wanted", location.hash);
      location.hash = "#/login";
    }
  });
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    render();
  });
  document.getElementById("signout").addEventListener("click", async () => {
    try {
      await api("POST", "/auth/logout");
    } catch {
      // Already expired or no connection: the token is forgotten here either way.
    }
    clearSession();
    location.hash = "#/login";
  });
  document.getElementById("menu-toggle").addEventListener("click", () => {
    const open = document.body.classList.toggle("nav-open");
    document.getElementById("menu-toggle").setAttribute("aria-expanded", String(open));
  });
  window.addEventListener("hashchange", render);
  render();
  if (session()) {
    api("GET", "/auth/me")
      .then((user) => {
        updateUser(user);
        renderBar();
      })
      .catch(() => {});
  }
}

start();
