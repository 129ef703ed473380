// Sign in (once per phone, remembered until the token expires) and sign out.
import { reason } from "../dom.js";
import { setLang, t as translate } from "../i18n.js";
import { clearSession, saveSession } from "../session.js";

export const messages = {
  zh: {
    "login.title": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.busy": "正在登录…",
    "login.failed": "用户名或密码错误。",
    "login.empty_username": "请输入用户名。",
    "login.empty_password": "请输入密码。",
    "login.empty_both": "请输入用户名和密码。",
    "login.offline": "没有网络，无法登录。请在有信号的地方登录一次。",
    "login.logout": "退出登录",
    "login.logout_confirm": "退出后需要重新输入密码。还有 {n} 条记录未发送，会保留在本机。确定退出？",
  },
  en: {
    "login.title": "Sign in",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.busy": "Signing in…",
    "login.failed": "Wrong username or password.",
    "login.empty_username": "Enter your username.",
    "login.empty_password": "Enter your password.",
    "login.empty_both": "Enter your username and password.",
    "login.offline": "No signal: sign in once where there is signal.",
    "login.logout": "Sign out",
    "login.logout_confirm": "You will need your password again. {n} records not yet sent stay on this phone. Sign out?",
  },
};

function renderLogin(view, params, ctx) {
  const { t } = ctx;
  view.innerHTML = `
    <h1></h1>
    <form id="login-form" autocomplete="on" novalidate>
      <label for="username"></label>
      <input id="username" name="username" autocomplete="username" autocapitalize="none"
             spellcheck="false" required maxlength="64" aria-describedby="login-error">
      <label for="password"></label>
      <input id="password" name="password" type="password" autocomplete="current-password"
             required maxlength="200" aria-describedby="login-error">
      <p class="error" id="login-error" role="alert"></p>
      <button class="primary block" type="submit"></button>
    </form>`;
  view.querySelector("h1").textContent = t("login.title");
  view.querySelector("label[for=username]").textContent = t("login.username");
  view.querySelector("label[for=password]").textContent = t("login.password");
  const button = view.querySelector("button");
  button.textContent = t("login.submit");
  const error = view.querySelector("#login-error");
  view.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const usernameInput = view.querySelector("#username");
    const passwordInput = view.querySelector("#password");
    const username = usernameInput.value.trim();
    const password = passwordInput.value;
    // An empty field is said, beside the form, and the first one gets the focus.
    for (const [input, empty] of [[usernameInput, !username], [passwordInput, !password]]) {
      if (empty) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    if (!username || !password) {
      if (!username && !password) error.textContent = t("login.empty_both");
      else error.textContent = t(username ? "login.empty_password" : "login.empty_username");
      (username ? passwordInput : usernameInput).focus();
      return;
    }
    button.disabled = true;
    button.textContent = t("login.busy");
    error.textContent = "";
    try {
      const result = await ctx.api("POST", "/auth/login", { json: { username, password } });
      saveSession(result);
      // The account's language, unless this phone was already switched by hand.
      if (!localStorage.getItem("xj.lang") && result.user.language?.startsWith("en")) setLang("en");
      ctx.afterSignIn();
    } catch (failure) {
      if (failure.status === 0) error.textContent = t("login.offline");
      else if (failure.status === 401) error.textContent = t("login.failed");
      else error.textContent = reason(failure);
      button.disabled = false;
      button.textContent = t("login.submit");
    }
  });
}

async function renderLogout(view, params, ctx) {
  const { t } = ctx;
  const waiting = await ctx.outbox.pendingCount();
  view.innerHTML = `<h1></h1><p></p>
    <button class="danger block" type="button" id="logout-yes"></button>
    <a class="button block" href="#/"></a>`;
  view.querySelector("h1").textContent = t("login.logout");
  view.querySelector("p").textContent = t("login.logout_confirm", { n: waiting });
  view.querySelector("#logout-yes").textContent = t("login.logout");
  view.querySelector("a").textContent = t("app.back");
  view.querySelector("#logout-yes").addEventListener("click", async () => {
    try {
      await ctx.api("POST", "/auth/logout");
    } catch {
      // No signal or already expired: the token is forgotten here either way.
    }
    clearSession();
    location.hash = "#/login";
  });
}

export const routes = { login: renderLogin, logout: renderLogout };

export function menu(user) {
  return user ? [{ route: "logout", label: translate("login.logout") }] : [];
}

