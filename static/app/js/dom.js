// Shared helpers of the phone app's screens: building elements, a screen's frame, the text of a
// refusal, photos fetched with the session's token. One copy of each, imported by every screen
// (and by the office console for `h`). uuid() and localIso() live in session.js.

/** An element: h("button", {class: "x", onclick: f}, "text", child…). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A plain element with string attributes and a text: el("p", {class: "muted"}, "text"). */
export function el(tag, attributes = {}, text = "") {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== "") element.textContent = text;
  return element;
}

/** A button (type "button" unless told) with a text and a class. */
export function button(text, className = "block", type = "button") {
  return el("button", { class: className, type }, text);
}

/** "zh" or "en": the app's language. */
export function language(ctx) {
  return ctx.lang ? ctx.lang() : ctx.t("sv.lang");
}

/** Append children, leaving out the missing ones (null, undefined, false). */
export function put(parent, ...children) {
  parent.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** The text in the current language: the item's `x_en` in English, else `x`. */
export function wording(ctx, obj, field) {
  if (language(ctx) === "en" && obj[`${field}_en`]) return obj[`${field}_en`];
  return obj[field] || "";
}

/** What to say when a screen could not load (sv.offline_load without signal, else the refusal). */
export function errorText(ctx, err) {
  // No signal while loading: nothing was saved, so never the outbox's "saved on this phone".
  if (err && err.status === 0) return ctx.t("sv.offline_load");
  return ctx.t("sv.error", { msg: reason(err) });
}

/** A "← back" button to a route (an installed app has no system back button). */
export function backButton(ctx, label, route, ...params) {
  return h(
    "button",
    { type: "button", class: "sv-back", onclick: () => ctx.navigate(route, ...params) },
    `← ${label}`,
  );
}

/** A refusal in the app's language (ApiError.display(): by its stable code, see errors.js). */
export function reason(err) {
  if (err && typeof err.display === "function") return err.display();
  return (err && (err.message || err.error)) || String(err);
}

/** "2026-11-03T09:15:00+08:00" → "2026-11-03 09:15". */
export function shortTime(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "";
}

/**
 * A screen's frame: empties the view and puts a section with its title. `prefix` names the
 * screens' classes (sv- for the supervisor's, of- for the office's; styles in css/app.css).
 */
export function screen(view, title, prefix = "sv") {
  view.replaceChildren();
  const wrap = h("section", { class: prefix }, h("h1", { class: `${prefix}-title` }, title));
  view.append(wrap);
  return wrap;
}

/** One page of up to 100 rows of a list endpoint. */
export async function list(ctx, path, query = {}) {
  return ctx.api("GET", path, { query: { page_size: 100, ...query } });
}

/** Fetch an authenticated binary (photo thumbnail, SVG chart) as an object URL for an <img>. */
export async function authorisedUrl(ctx, path) {
  const token = (ctx.session() || {}).token;
  const response = await fetch(path.startsWith("/api") ? path : `/api${path}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/** An <img> of an authenticated binary; left out if it cannot be fetched. */
export function authorisedImg(ctx, path, attrs = {}) {
  const img = h("img", { alt: "", ...attrs });
  authorisedUrl(ctx, path)
    .then((url) => {
      img.src = url;
    })
    .catch(() => img.remove());
  return img;
}

/** A photo thumbnail, with the server's warning when it looks reused (GET /photos/<id>). */
export function flaggedPhoto(ctx, id, reused) {
  const box = h("figure", { class: "sv-photo", "data-photo": id });
  box.append(authorisedImg(ctx, `/photos/${id}/thumbnail`));
  const flag = () =>
    box.append(h("figcaption", { class: "sv-reused", role: "note" }, `⚠ ${ctx.t("sv.photo.reused")}`));
  if (reused === true) flag();
  else if (reused === undefined) {
    ctx
      .api("GET", `/photos/${id}`)
      .then((photo) => {
        if (photo.reused) flag();
      })
      .catch(() => {});
  }
  return box;
}
