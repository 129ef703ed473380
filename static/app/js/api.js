// Calls to the server's JSON API with the signed-in token, and its one error shape.
import { messages as errorMessages } from "./errors.js";
import { addMessages, lang, t } from "./i18n.js";
import { clearSession, session } from "./session.js";

addMessages(errorMessages);

const CHINESE = /[\u4e00-\u9fff]/;

// The fields a validation error names, as the server gives them ({json: {site_ids: [...]}}).
// Each field the server named, with what it said of it: "id（不是有效的 UUID。）".
function fieldProblems(errors) {
  const zh = lang() === "zh";
  const problems = [];
  for (const fields of Object.values(errors || {})) {
    if (!fields || typeof fields !== "object" || Array.isArray(fields)) continue;
    for (const [name, messages] of Object.entries(fields)) {
      const said = [messages].flat(Infinity).filter((m) => typeof m === "string").join(" ");
      problems.push(said ? (zh ? `${name}（${said}）` : `${name} (${said})`) : name);
    }
  }
  return problems;
}

export class ApiError extends Error {
  // status 0: the request never reached the server (no signal).
  constructor(status, body = {}) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.error = body.error || (status === 0 ? "offline" : "http_error");
    this.errors = body.errors || {};
    this.body = body;
  }

  // For people. In Chinese: the server's own Chinese text first (a refused scan has one), then
  // the app's sentence for the error code (errors.js), else the server's English message. In
  // English: the server's message, which is often more specific than the code's sentence.
  // A validation error also names the fields that are wrong.
  display() {
    if (this.status === 0) return t("app.offline");
    // (A refused scan's reason; a validation error's field messages are Chinese too, but name
    // a field, so they are listed below instead.)
    const zh = this.error === "validation_failed" ? undefined : this.errors?.json?.payload?.[0];
    if (lang() === "zh" && typeof zh === "string" && CHINESE.test(zh)) return zh;
    const key = `error.${this.error}`;
    const known = t(key);
    const serverSaid = this.body.message;
    let text = known === key ? this.message : known;
    if (lang() !== "zh" && serverSaid) text = serverSaid;
    if (this.error !== "validation_failed") return text;
    const fields = fieldProblems(this.errors);
    const joined = fields.join(lang() === "zh" ? "；" : "; ");
    return fields.length ? `${text} ${t("error.fields", { fields: joined })}` : text;
  }
}

function authHeaders() {
  const current = session();
  return current ? { Authorization: `Bearer ${current.token}` } : {};
}

function urlFor(path, query) {
  let url = `/api${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.append(key, value);
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  return url;
}

let onUnauthorized = () => {
  location.hash = "#/login";
};

export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

async function send(method, path, { json, form, query } = {}) {
  // The server's messages in the app's language (it answers Chinese unless asked for English).
  const headers = { Accept: "application/json", "Accept-Language": lang(), ...authHeaders() };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // FormData: the browser sets the multipart boundary
  }
  let response;
  try {
    response = await fetch(urlFor(path, query), { method, headers, body, cache: "no-store" });
  } catch {
    throw new ApiError(0, { error: "offline", message: "No connection to the server." });
  }
  if (response.ok) return response;
  let payload = {};
  try {
    payload = await response.json();
  } catch {
    payload = { message: response.statusText };
  }
  const error = new ApiError(response.status, payload);
  if (response.status === 401 && path !== "/auth/login") {
    clearSession();
    onUnauthorized();
  }
  throw error;
}

// api("GET", "/rounds", {query: {site_id: 1}}) → parsed JSON (null for 204).
export async function api(method, path, options = {}) {
  const response = await send(method, path, options);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) return response.json();
  return response.text();
}

// A signed-in download (Excel, PDF, CSV): fetch, then save through a temporary link.
export async function download(path, filename, options = {}) {
  const response = await send("GET", path, options);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
