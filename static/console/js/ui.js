// Building blocks every console screen uses: elements, fields, tables, and the one way a
// screen tells people what the server answered ("the truth at once": a form says 已保存 only
// after the server stored it, and a refusal in the server's words next to the form, with the
// fields it names marked).
import { ApiError, api } from "/app/js/api.js";
import { h } from "/app/js/dom.js";
import { addMessages, lang, t } from "/app/js/i18n.js";

addMessages({
  zh: {
    "ui.sending": "正在提交…",
    "ui.saved": "已保存。",
    "ui.loading": "加载中…",
    "ui.none": "暂无记录。",
    "ui.yes": "确定",
    "ui.cancel": "取消",
    "ui.active": "在用",
    "ui.inactive": "已停用",
    "ui.deactivate": "停用",
    "ui.reactivate": "重新启用",
    "ui.edit": "修改",
    "ui.save": "保存",
    "ui.add": "添加",
    "ui.all_sites": "全部项目",
    "ui.site": "项目",
    "ui.choose": "请选择",
    "ui.more": "加载更多",
    "ui.error": "服务器拒绝：{message}",
  },
  en: {
    "ui.sending": "Sending…",
    "ui.saved": "Saved.",
    "ui.loading": "Loading…",
    "ui.none": "Nothing yet.",
    "ui.yes": "OK",
    "ui.cancel": "Cancel",
    "ui.active": "Active",
    "ui.inactive": "Deactivated",
    "ui.deactivate": "Deactivate",
    "ui.reactivate": "Reactivate",
    "ui.edit": "Edit",
    "ui.save": "Save",
    "ui.add": "Add",
    "ui.all_sites": "All sites",
    "ui.site": "Site",
    "ui.choose": "Choose",
    "ui.more": "Load more",
    "ui.error": "The server refused: {message}",
  },
});

/** h("p", {class: "muted", onclick: fn}, "text", child): the phone app's one `h`, for the screens too. */
export { h };

let idCounter = 0;
/** A unique element id, for labels and aria references. */
export function uniqueId(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** What the server said, in the caller's language (ApiError.display() for refusals). */
export function reason(error) {
  if (error instanceof ApiError || typeof error?.display === "function") return error.display();
  return error?.message || String(error);
}

/**
 * The place where a form or an action says what happened. `answer.busy()` while sending,
 * `answer.ok(text)` after the server stored it, `answer.refused(error)` with the server's words.
 */
export function answerBox(attrs = {}) {
  const box = h("p", { class: "answer", role: "status", "aria-live": "polite", ...attrs });
  box.busy = () => {
    box.className = "answer busy";
    box.textContent = t("ui.sending");
  };
  box.ok = (text = t("ui.saved")) => {
    box.className = "answer ok";
    box.textContent = text;
  };
  box.refused = (error) => {
    box.className = "answer error";
    box.textContent = t("ui.error", { message: reason(error) });
  };
  box.clear = () => {
    box.className = "answer";
    box.textContent = "";
  };
  return box;
}

/** A labelled control: field("名称", h("input", {name: "name", required: true}), "hint"). */
export function field(label, control, hint = "") {
  if (!control.id) control.id = uniqueId(control.name || "f");
  const error = h("small", { class: "field-error", id: `${control.id}-error` });
  const hintNode = hint ? h("small", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  const described = [hintNode ? hintNode.id : null, error.id].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode, error);
}

/** A <select> of [value, text] pairs with the given value chosen. */
export function select(name, options, selected = "", attrs = {}) {
  const element = h("select", { name, ...attrs });
  for (const [value, text] of options) {
    const option = h("option", { value: String(value) }, text);
    if (String(value) === String(selected ?? "")) option.selected = true;
    element.append(option);
  }
  return element;
}

/** Mark the fields a 422 names ({errors: {json: {name: ["…"]}}}) next to their controls. */
export function markFieldErrors(form, error) {
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  const locations = error?.errors || {};
  for (const fields of Object.values(locations)) {
    if (!fields || typeof fields !== "object" || Array.isArray(fields)) continue;
    for (const [name, messages] of Object.entries(fields)) {
      const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!control) continue;
      control.setAttribute("aria-invalid", "true");
      const slot = form.querySelector(`#${CSS.escape(control.id)}-error`);
      if (slot) slot.textContent = flatten(messages).join(" ");
    }
  }
}

function flatten(messages) {
  if (Array.isArray(messages)) return messages.flatMap(flatten);
  if (messages && typeof messages === "object") return Object.values(messages).flatMap(flatten);
  return [String(messages)];
}

/**
 * A form's values by name: inputs with data-type="int" become numbers (empty → null),
 * checkboxes booleans, <select multiple> and data-type="int-list" lists of numbers.
 * Empty optional text stays "" (the server decides).
 */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name || control.disabled || control.dataset.skip !== undefined) continue;
    const type = control.dataset.type;
    if (control.type === "checkbox") {
      if (type === "int-list") {
        values[control.name] ??= [];
        if (control.checked) values[control.name].push(Number(control.value));
      } else values[control.name] = control.checked;
    } else if (control.multiple) {
      values[control.name] = [...control.selectedOptions].map((o) =>
        type === "int-list" ? Number(o.value) : o.value,
      );
    } else if (type === "int") {
      values[control.name] = control.value === "" ? null : Number(control.value);
    } else {
      values[control.name] = control.value;
    }
  }
  return values;
}

/**
 * Submit a form to the server and say the answer beside it.
 *   onSubmit(form, answer, async (values) => api(...), {ok: (result) => "…", after: (result) => …})
 * The button is disabled while sending, so a second tap sends nothing twice.
 */
export function onSubmit(form, answer, send, { ok, after } = {}) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll("button[type=submit]")];
    if (buttons.some((b) => b.disabled)) return;
    buttons.forEach((b) => (b.disabled = true));
    answer.busy();
    try {
      const result = await send(formValues(form));
      markFieldErrors(form, null);
      answer.ok(ok ? ok(result) : undefined);
      if (after) await after(result);
    } catch (error) {
      markFieldErrors(form, error);
      answer.refused(error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  });
}

/**
 * A button that runs one server action and says its answer in `answer`; with `question` it
 * asks first (confirmDialog) and answering 取消 sends nothing and says nothing. Disabled while
 * the request is on its way, so a double click sends once.
 */
export function actionButton(
  label,
  answer,
  action,
  { ok, after, attrs = {}, question, danger = false } = {},
) {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      if (question) {
        const text = typeof question === "function" ? question() : question;
        if (!(await confirmDialog(text, { yes: label, danger }))) return;
      }
      answer.busy();
      try {
        const result = await action();
        answer.ok(ok ? ok(result) : undefined);
        if (after) await after(result);
      } catch (error) {
        answer.refused(error);
      }
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * table([{label, value: (row) => text|node, class}], rows, {caption, rowAttrs})
 * A real <table> with a caption and column headers; an empty list says so.
 */
export function table(columns, rows, { caption = "", rowAttrs = () => ({}), empty } = {}) {
  if (!rows.length) return h("p", { class: "muted empty" }, empty || t("ui.none"));
  const head = h(
    "tr",
    {},
    columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)),
  );
  const body = rows.map((row) =>
    h(
      "tr",
      rowAttrs(row),
      columns.map((c) => h("td", { class: c.class }, c.value(row) ?? "")),
    ),
  );
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || columns[0].label },
    h("table", {}, caption ? h("caption", {}, caption) : null, h("thead", {}, head), h("tbody", {}, body)),
  );
}

/** Every item of a paginated list (the server's pages of at most 100). */
export async function fetchAll(path, query = {}) {
  const items = [];
  for (let page = 1; page <= 200; page += 1) {
    const batch = await api("GET", path, { query: { ...query, page, page_size: 100 } });
    items.push(...batch);
    if (batch.length < 100) break;
  }
  return items;
}

/** The sites the signed-in person may see, active first. */
export async function mySites() {
  const sites = await fetchAll("/sites");
  return sites.sort((a, b) => Number(b.active) - Number(a.active) || a.id - b.id);
}

/** A site picker; remembers the choice for the other screens (one site at a time). */
export function sitePicker(sites, onChange, { allowAll = false } = {}) {
  const remembered = sessionStorage.getItem("xj.console.site");
  const options = sites.map((s) => [s.id, s.active ? s.name : `${s.name}（${t("ui.inactive")}）`]);
  if (allowAll) options.unshift(["", t("ui.all_sites")]);
  let chosen = sites.some((s) => String(s.id) === remembered) ? remembered : "";
  if (!chosen && !allowAll && sites.length) chosen = String(sites[0].id);
  const control = select("site_id", options, chosen, { id: uniqueId("site-picker"), class: "site-picker" });
  control.addEventListener("change", () => {
    sessionStorage.setItem("xj.console.site", control.value);
    onChange(control.value ? Number(control.value) : null);
  });
  return { node: field(t("ui.site"), control), value: () => (control.value ? Number(control.value) : null) };
}

/** A yes/no question in a modal dialog; resolves true for yes. */
export function confirmDialog(question, { yes = t("ui.yes"), danger = false } = {}) {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-text" },
      h("p", { id: "confirm-text" }, question),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: danger ? "danger" : "primary", value: "yes" }, yes),
        h("button", { type: "button", value: "no" }, t("ui.cancel")),
      ),
    );
    dialog.addEventListener("click", (event) => {
      const value = event.target?.value;
      if (value === "yes" || value === "no") dialog.close(value);
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "yes");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A date-time from the server (ISO with the site's offset), shown as the site's local time. */
export function localTime(iso) {
  if (!iso) return "";
  // The server's text already carries the site's offset: show its wall-clock part as is.
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/** "在用" / "已停用" as a badge. */
export function activeBadge(active) {
  return h("span", { class: active ? "badge ok" : "badge muted" }, t(active ? "ui.active" : "ui.inactive"));
}

export { api, lang, t };
