// Texts in Simplified Chinese (default) and English. Each screen module adds its own.
const LANG_KEY = "xj.lang";
const dictionaries = { zh: {}, en: {} };

export function addMessages(messages = {}) {
  for (const language of Object.keys(dictionaries)) {
    Object.assign(dictionaries[language], messages[language] || {});
  }
}

export function lang() {
  const stored = localStorage.getItem(LANG_KEY);
  return stored === "en" ? "en" : "zh";
}

export function setLang(language) {
  localStorage.setItem(LANG_KEY, language === "en" ? "en" : "zh");
  document.documentElement.lang = lang() === "zh" ? "zh-CN" : "en";
}

// t("outbox.waiting", {n: 3}) → "已保存在本机，3 条待发送"; an unknown key shows itself.
export function t(key, params = {}) {
  const text = dictionaries[lang()][key] ?? dictionaries.zh[key] ?? key;
  return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
    params[name] === undefined || params[name] === null ? whole : String(params[name]),
  );
}
