// Who is signed in on this phone: the token, the user and when the token expires. Kept in
// localStorage, so the sign-in is remembered until the token expires (also without signal).
const SESSION_KEY = "xj.session";
const DEVICE_KEY = "xj.device";

export function session() {
  let stored;
  try {
    stored = JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  } catch {
    stored = null;
  }
  if (!stored || !stored.token) return null;
  if (stored.expires_at && Date.parse(stored.expires_at) <= Date.now()) {
    clearSession();
    return null;
  }
  return stored;
}

export function saveSession({ token, expires_at, user }) {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ token, expires_at, user }));
}

export function updateUser(user) {
  const current = session();
  if (current) saveSession({ ...current, user });
}

export function clearSession() {
  localStorage.removeItem(SESSION_KEY);
}

// A random UUID. crypto.randomUUID needs a secure context (https or localhost); a phone on the
// local network reaching http://192.168.x.x has only crypto.getRandomValues.
export function uuid() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// This phone's id, made once and sent with every scan, photo and inspection.
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = uuid();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

// The phone's clock as ISO 8601 with its UTC offset, e.g. 2026-11-23T22:05:00.000+08:00.
export function localIso(date = new Date()) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}
