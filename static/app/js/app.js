// The app shell: a hash router over the screen modules, the top bar (outbox indicator and
// language switch), sign-in guard, toasts and the service worker.
//
// A screen module exports
//   messages = {zh: {...}, en: {...}}
//   routes = {"name": render}      render(view, params, ctx) fills the view; URL #/name/p1/p2
//   menu(user) → [{route, label}]  home-screen entries this user's role may use
import { api, ApiError, download, setUnauthorizedHandler } from "./api.js";
import { el, reason } from "./dom.js";
import { addMessages, lang, setLang, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import * as login from "./screens/login.js";
import * as guard from "./screens/guard.js";
import * as handover from "./screens/handover.js";
import * as manager from "./screens/manager.js";
import * as supervisor from "./screens/supervisor.js";
import * as office from "./screens/office.js";
import * as staff from "./screens/staff.js";
import { deviceId, localIso, session, updateUser, uuid } from "./session.js";

const MODULES = [login, guard, handover, manager, supervisor, office, staff];

addMessages({
  zh: {
    "app.title": "巡检通",
    "app.outbox": "已保存在本机，{n} 条待发送",
    "app.outbox_refused": "，{n} 条被拒",
    "app.outbox_all_sent": "全部已发送",
    "app.outbox_only_refused": "{n} 条被拒",
    "app.switch": "EN",
    "app.hello": "您好，{name}",
    "app.no_menu": "您的账号在手机端没有可用的功能。",
    "app.offline": "没有网络，已保存在本机，有网络后自动发送。",
    "app.not_found": "找不到此页面。",
    "app.home": "返回首页",
    "app.error": "出错了：{message}",
    "app.loading": "加载中…",
    "app.back": "返回",
    "app.console": "办公后台（电脑）",
    "outbox.title": "待发送",
    "outbox.none": "没有待发送的记录。",
    "outbox.send_now": "立即发送",
    "outbox.refused": "被服务器拒绝",
    "outbox.dismiss": "知道了",
    "outbox.photos": "{n} 张照片",
    "outbox.made_at": "记录于 {time}",
    "outbox.refused_at": "记录于 {time}，{refused} 被拒",
    "outbox.checkpoint_n": "巡更点 #{id}",
    "outbox.post_n": "迎候岗位 #{id}",
    "kind.scan": "巡更打卡",
    "kind.anomaly": "异常报告",
    "kind.check": "迎候签到/签退",
    "kind.inspection": "检查记录",
    "role.admin": "管理员",
    "role.hr": "人事",
    "role.supervisor": "主管",
    "role.manager": "管理处",
    "role.guard": "护卫员",
    "role.staff": "员工",
  },
  en: {
    "app.title": "Xunjian",
    "app.outbox": "{n} waiting to send",
    "app.outbox_refused": ", {n} refused",
    "app.outbox_all_sent": "All sent",
    "app.outbox_only_refused": "{n} refused",
    "app.switch": "中文",
    "app.hello": "Hello, {name}",
    "app.no_menu": "Your account has nothing to do in the phone app.",
    "app.offline": "No signal: saved on this phone, sent when there is signal.",
    "app.not_found": "No such page.",
    "app.home": "Home",
    "app.error": "Something went wrong: {message}",
    "app.loading": "Loading…",
    "app.back": "Back",
    "app.console": "Office console (desktop)",
    "outbox.title": "Waiting to send",
    "outbox.none": "Nothing is waiting.",
    "outbox.send_now": "Send now",
    "outbox.refused": "Refused by the server",
    "outbox.dismiss": "Dismiss",
    "outbox.photos": "{n} photos",
    "outbox.made_at": "Made {time}",
    "outbox.refused_at": "Made {time}, refused {refused}",
    "outbox.checkpoint_n": "Checkpoint #{id}",
    "outbox.post_n": "Greeting post #{id}",
    "kind.scan": "Patrol scan",
    "kind.anomaly": "Anomaly report",
    "kind.check": "Greeting check-in/out",
    "kind.inspection": "Inspection",
    "role.admin": "Administrator",
    "role.hr": "HR",
    "role.supervisor": "Supervisor",
    "role.manager": "Manager",
    "role.guard": "Guard",
    "role.staff": "Staff",
  },
});

const routes = {};
for (const module of MODULES) {
  addMessages(module.messages);
  Object.assign(routes, module.routes);
}
routes[""] = renderHome;
routes.outbox = renderOutbox;

const PUBLIC_ROUTES = new Set(["login"]);
const WANTED_KEY = "xj.wanted";

function parseHash() {
  const path = location.hash.replace(/^#\/?/, "");
  const parts = path.split("/").map((p) => decodeURIComponent(p));
  return { name: parts[0] || "", params: parts.slice(1).filter((p) => p !== "") };
}

export function navigate(route, ...params) {
  const hash = `#/${[route, ...params].map((p) => encodeURIComponent(String(p))).join("/")}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

// Replace the current history entry (a scan link that forwards to another screen).
function redirect(route, ...params) {
  const hash = `#/${[route, ...params].map((p) => encodeURIComponent(String(p))).join("/")}`;
  history.replaceState(null, "", hash);
  render();
}

let toastTimer = null;

export function toast(message) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    element.hidden = true;
  }, 3500);
}

// A file input that opens the rear camera (not the photo gallery) on phones.
function photoInput() {
  const input = document.createElement("input");
  input.type = "file";
  input.accept = "image/*";
  input.setAttribute("capture", "environment");
  return input;
}

const ctx = {
  api,
  download,
  t,
  session,
  deviceId,
  outbox,
  navigate,
  redirect,
  toast,
  photoInput,
  uuid,
  localIso,
  lang,
};

async function renderOutboxIndicator(state) {
  const pending = state ? state.pending : await outbox.pendingCount();
  const refused = state ? state.refused : (await outbox.refusedItems()).length;
  const button = document.getElementById("outbox");
  // Nothing waiting is said calmly; a count only when something waits or was refused.
  let text = t("app.outbox", { n: pending });
  if (refused) text += t("app.outbox_refused", { n: refused });
  if (!pending) text = refused ? t("app.outbox_only_refused", { n: refused }) : t("app.outbox_all_sent");
  button.textContent = text;
  button.dataset.pending = String(pending);
  button.dataset.refused = String(refused);
  button.classList.toggle("waiting", pending > 0);
  button.classList.toggle("refused", refused > 0);
}

function renderTopBar() {
  document.getElementById("title").textContent = t("app.title");
  document.getElementById("lang").textContent = t("app.switch");
  document.title = lang() === "zh" ? `${t("app.title")} Xunjian` : t("app.title");
  renderOutboxIndicator();
}

let renderCount = 0;

async function render() {
  const { name, params } = parseHash();
  const main = document.getElementById("view");
  // Each render fills a fresh container, so a slow screen cannot overwrite a newer one.
  const view = document.createElement("div");
  view.className = `screen screen-${name || "home"}`;
  main.replaceChildren(view);
  const number = ++renderCount;
  renderTopBar(); // the language may have changed (switch, or the account's own at sign-in)
  if (!session() && !PUBLIC_ROUTES.has(name)) {
    if (name) sessionStorage.setItem(WANTED_KEY, location.hash);
    history.replaceState(null, "", "#/login");
    return render();
  }
  const screen = routes[name];
  if (!screen) {
    view.innerHTML = `<p class="error"></p><a class="button block" href="#/"></a>`;
    view.querySelector("p").textContent = t("app.not_found");
    view.querySelector("a").textContent = t("app.home");
    return;
  }
  try {
    await screen(view, params, ctx);
  } catch (error) {
    if (number !== renderCount) return;
    console.error(error);
    if (error instanceof ApiError && error.status === 401) return;
    const message = reason(error);
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = t("app.error", { message });
    view.append(p);
  }
  window.scrollTo(0, 0);
}

// After signing in: the screen that was asked for (e.g. a scanned label), else home.
export function afterSignIn() {
  const wanted = sessionStorage.getItem(WANTED_KEY);
  sessionStorage.removeItem(WANTED_KEY);
  outbox.flush();
  if (wanted && !wanted.startsWith("#/login")) location.hash = wanted;
  else location.hash = "#/";
}
ctx.afterSignIn = afterSignIn;

function renderHome(view) {
  const { user } = session();
  view.append(el("h1", {}, t("app.hello", { name: user.display_name || user.username })));
  view.append(el("p", { class: "muted" }, t(`role.${user.role}`)));
  const menu = el("nav", { class: "menu" });
  for (const module of [guard, manager, supervisor, handover, office, staff, login]) {
    for (const entry of module.menu(user) || []) {
      menu.append(el("a", { class: "button block", href: `#/${entry.route}` }, entry.label));
    }
  }
  if (!menu.children.length) view.append(el("p", {}, t("app.no_menu")));
  view.append(menu);
  // Setting up sites, staff, checkpoints and rotas is done at a desk, in the office console.
  if (["admin", "hr", "supervisor", "manager"].includes(user.role)) {
    view.append(el("a", { class: "button block", href: "/console/", id: "to-console" }, t("app.console")));
  }
}

function localTime(iso) {
  return iso ? new Date(iso).toLocaleString(lang() === "zh" ? "zh-CN" : "en") : "";
}

// What an item is about: its label, else the checkpoint or post its scanned code names.
function itemLabel(item) {
  if (item.label) return item.label;
  const match = /^([cp])\d+\.(\d+)\./.exec(String(item.payload?.payload || ""));
  if (!match) return "";
  return t(match[1] === "c" ? "outbox.checkpoint_n" : "outbox.post_n", { id: match[2] });
}

async function renderOutbox(view) {
  view.append(el("h1", {}, t("outbox.title")));
  const pending = await outbox.pendingItems();
  const refused = await outbox.refusedItems();
  if (!pending.length) view.append(el("p", { class: "muted" }, t("outbox.none")));
  for (const item of pending) {
    const card = el("div", { class: "card pending-item" });
    card.append(el("strong", {}, t(`kind.${item.kind}`)));
    const about = itemLabel(item);
    if (about) card.append(el("p", { class: "item-label" }, about));
    card.append(el("p", { class: "small muted" }, t("outbox.made_at", { time: localTime(item.created_at) })));
    if (item.photos.length) card.append(el("p", { class: "small" }, t("outbox.photos", { n: item.photos.length })));
    view.append(card);
  }
  const send = el("button", { class: "primary block", type: "button" }, t("outbox.send_now"));
  send.addEventListener("click", async () => {
    send.disabled = true;
    await outbox.flush();
    render();
  });
  view.append(send);
  if (refused.length) view.append(el("h2", {}, t("outbox.refused")));
  for (const item of refused) {
    const card = el("div", { class: "card refused refused-item" });
    card.append(el("strong", {}, t(`kind.${item.kind}`)));
    const about = itemLabel(item);
    if (about) card.append(el("p", { class: "item-label" }, about));
    const when = t("outbox.refused_at", { time: localTime(item.created_at), refused: localTime(item.refused_at) });
    card.append(el("p", { class: "small muted" }, when));
    // Said as any other refusal (ApiError.display): in the app's language where it can be.
    const errors = item.errors ?? { json: { payload: [item.message_zh] } };
    const refusal = new ApiError(item.status, { error: item.error, message: item.message, errors });
    card.append(el("p", { class: "error server-message" }, refusal.display()));
    const dismiss = el("button", { type: "button" }, t("outbox.dismiss"));
    dismiss.addEventListener("click", async () => {
      await outbox.dismiss(item.seq);
      render();
    });
    card.append(dismiss);
    view.append(card);
  }
  view.append(el("a", { class: "button block", href: "#/" }, t("app.home")));
}

function start() {
  setLang(lang());
  setUnauthorizedHandler(() => {
    if (parseHash().name !== "login") {
      sessionStorage.setItem(WANTED_KEY, location.hash);
      location.hash = "#/login";
    }
  });
  document.getElementById("lang").addEventListener("click", () => {
    setLang(lang() === "zh" ? "en" : "zh");
    render();
  });
  document.getElementById("outbox").addEventListener("click", () => navigate("outbox"));
  outbox.onChange((state) => {
    renderOutboxIndicator(state);
    if (parseHash().name === "outbox") render();
  });
  window.addEventListener("hashchange", render);
  render();
  outbox.start();
  // Roles and sites may have changed since signing in: refresh them when there is signal.
  if (session()) {
    api("GET", "/auth/me")
      .then((user) => updateUser(user))
      .catch(() => {});
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/" }).catch((error) => {
      console.warn("service worker not registered", error);
    });
  }
}

start();
