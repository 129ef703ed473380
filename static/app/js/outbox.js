// The outbox: work done on the phone (scans, photos, anomalies, greeting checks, inspections)
// waits here, in IndexedDB, until the server has acknowledged it. Items are sent in the order
// they were made, when the phone is online (the `online` event, app start, every 30 s). Each
// carries its client-made id, so sending it again after a lost answer never duplicates it.
//
//   submit(kind, payload, blobs) → {sent: true, answer} | {refused: ApiError} | {queued: true}
//     With signal, sends at once and gives the server's answer, so a screen can say what the
//     server said (accepted, or refused and why) where it happened. Only when the request cannot
//     reach the server (no signal, a server error, no answer within 20 s, signed out) is the
//     item queued, behind what already waits; a refusal is not queued (the screen says it).
//   enqueue(kind, payload, blobs, {label})
//     label    what the item is about, for people (the checkpoint's or the post's name)
//     kind     "scan" | "anomaly" | "check" | "inspection" (or one added with registerKind)
//     payload  the JSON body, with its own client id
//     blobs    photos to upload first: [{blob, site_id, area_id?, place?, field?, id?}]; each is
//              uploaded to /api/photos under a client-made id, and the id the server returns is
//              put into the payload at `field` (default "photo_ids": appended to that list; a
//              field not ending in "_ids", e.g. "photo_id", is set). Dotted paths reach into
//              nested objects and lists ("answers.2.photo_ids").
//
// An item the server refuses (4xx other than 401, 408 and 429) moves to the "refused" list with
// the server's message; it never blocks the items behind it. No signal, 5xx, 401 (signed out),
// 408 and 429 leave everything in place for the next attempt.
import { api, ApiError } from "./api.js";
import { deviceId, session, uuid } from "./session.js";

const DB_NAME = "xunjian-outbox";
const ITEMS = "items";
const REFUSED = "refused";
const RETRY_LATER = new Set([401, 408, 429]);

const KINDS = {
  scan: "/scans",
  anomaly: "/anomalies",
  check: "/greeting/checks",
  inspection: "/inspections",
};

export function registerKind(kind, path) {
  KINDS[kind] = path;
}

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(ITEMS, { keyPath: "seq", autoIncrement: true });
        db.createObjectStore(REFUSED, { keyPath: "seq" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function run(storeNames, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeNames, mode);
    let result;
    Promise.resolve(work(tx)).then((value) => {
      result = value;
    });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function req(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const listeners = new Set();

export function onChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

async function notify() {
  const state = { pending: await pendingCount(), refused: (await refusedItems()).length };
  for (const callback of listeners) {
    try {
      callback(state);
    } catch (error) {
      console.error(error);
    }
  }
}

function makeItem(kind, payload, blobs, label = "") {
  if (!KINDS[kind]) throw new Error(`unknown outbox kind ${kind}`);
  const current = session();
  return {
    kind,
    payload,
    photos: blobs.map((b) => ({
      id: b.id || uuid(), // a photo sent again after a refusal keeps its id: stored once
      blob: b.blob,
      name: b.blob?.name || "photo.jpg",
      site_id: b.site_id,
      area_id: b.area_id ?? null,
      place: b.place || "",
      field: b.field || "photo_ids",
      uploaded_id: null,
    })),
    label, // what it is about, for people: the checkpoint's or the post's name
    user_id: current?.user?.id ?? null,
    created_at: new Date().toISOString(),
    attempts: 0,
  };
}

async function store(item) {
  const seq = await run([ITEMS], "readwrite", (tx) => req(tx.objectStore(ITEMS).add(item)));
  item.seq = seq; // a send still under way records its uploaded photos on the stored item
  await notify();
  return seq;
}

export async function enqueue(kind, payload, blobs = [], { label = "" } = {}) {
  return store(makeItem(kind, payload, blobs, label));
}

// Items of the signed-in person that wait (another account's wait for its owner).
async function ownPending() {
  const userId = session()?.user?.id ?? null;
  return (await pendingItems()).filter((i) => i.user_id === null || i.user_id === userId).length;
}

const TIMED_OUT = Symbol("timed out");

export async function submit(kind, payload, blobs = [], { label = "", timeoutMs = 20000 } = {}) {
  const item = makeItem(kind, payload, blobs, label);
  // What waits is sent first, in order; if it still cannot go, this waits behind it.
  if ((await ownPending()) > 0) {
    await flush();
    if ((await ownPending()) > 0) {
      await store(item);
      return { queued: true };
    }
  }
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    const answer = await Promise.race([send(item), timeout]);
    if (answer !== TIMED_OUT) return { sent: true, answer };
    lastError = new ApiError(0, { error: "offline", message: "No answer from the server." });
  } catch (error) {
    const refusal =
      error instanceof ApiError && error.status >= 400 && error.status < 500 && !RETRY_LATER.has(error.status);
    if (refusal) return { refused: error };
    lastError = error;
  } finally {
    clearTimeout(timer);
  }
  // Not answered: kept on the phone and sent again under the same ids (never stored twice).
  await store(item);
  scheduleRetry();
  return { queued: true };
}

export async function pendingCount() {
  return run([ITEMS], "readonly", (tx) => req(tx.objectStore(ITEMS).count()));
}

export async function pendingItems() {
  return run([ITEMS], "readonly", (tx) => req(tx.objectStore(ITEMS).getAll()));
}

export async function refusedItems() {
  return run([REFUSED], "readonly", (tx) => req(tx.objectStore(REFUSED).getAll()));
}

export async function dismiss(seq) {
  await run([REFUSED], "readwrite", (tx) => req(tx.objectStore(REFUSED).delete(seq)));
  await notify();
}

function place(body, path, value) {
  const parts = path.split(".");
  let target = body;
  for (const part of parts.slice(0, -1)) {
    if (target[part] === undefined || target[part] === null) target[part] = {};
    target = target[part];
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(target[last])) target[last].push(value);
  else if (last.endsWith("_ids")) target[last] = [value];
  else target[last] = value;
}

async function save(item) {
  if (item.seq === undefined) return; // sent directly, not (yet) kept in the outbox
  await run([ITEMS], "readwrite", (tx) => req(tx.objectStore(ITEMS).put(item)));
}

async function send(item) {
  for (const photo of item.photos) {
    if (photo.uploaded_id) continue;
    const form = new FormData();
    form.append("id", photo.id);
    form.append("site_id", String(photo.site_id));
    if (photo.area_id !== null && photo.area_id !== undefined) {
      form.append("area_id", String(photo.area_id));
    } else if (photo.place) {
      form.append("place", photo.place.slice(0, 100));
    }
    form.append("device_id", deviceId());
    form.append("file", photo.blob, photo.name);
    const stored = await api("POST", "/photos", { form });
    photo.uploaded_id = stored.id;
    await save(item); // a retry after this point does not upload the photo again
  }
  const body = structuredClone(item.payload);
  for (const photo of item.photos) place(body, photo.field, photo.uploaded_id);
  return api("POST", KINDS[item.kind], { json: body });
}

async function refuse(item, error) {
  const zh = error.errors?.json?.payload?.[0];
  const refused = {
    seq: item.seq,
    kind: item.kind,
    label: item.label || "",
    payload: item.payload,
    photos: item.photos.length,
    created_at: item.created_at,
    refused_at: new Date().toISOString(),
    status: error.status,
    error: error.error,
    message: error.message,
    errors: error.errors, // with the server's Chinese text, when it gave one
    message_zh: typeof zh === "string" ? zh : null,
  };
  await run([ITEMS, REFUSED], "readwrite", (tx) => {
    tx.objectStore(REFUSED).put(refused);
    tx.objectStore(ITEMS).delete(item.seq);
  });
}

let running = null;
let retryTimer = null;
let serverBackoff = 15000;
export let lastError = null;

// Send what waits, oldest first. Concurrent calls share one run.
export function flush() {
  if (!running) {
    clearTimeout(retryTimer);
    const work = async () => {
      if (navigator.locks) return navigator.locks.request("xunjian-outbox", drain);
      return drain();
    };
    running = work()
      .catch((error) => {
        lastError = error;
      })
      .finally(() => {
        running = null;
        scheduleRetry();
      });
  }
  return running;
}

// The `online` event is not reliable (a phone "online" on a dead network, a captive portal),
// so while something waits: try again in 5 s after no connection, and back off up to a minute
// when the server answers with an error.
function scheduleRetry() {
  clearTimeout(retryTimer);
  if (!lastError || lastError.status === 401) return;
  let delay = 5000;
  if (lastError.status) {
    delay = serverBackoff;
    serverBackoff = Math.min(serverBackoff * 2, 60000);
  }
  retryTimer = setTimeout(() => flush(), delay);
}

async function drain() {
  lastError = null;
  const current = session();
  if (!current) return;
  const items = await pendingItems();
  for (const item of items) {
    // Work of another account stays until that person signs in again on this phone.
    if (item.user_id !== null && item.user_id !== current.user?.id) continue;
    try {
      await send(item);
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        if (RETRY_LATER.has(error.status)) {
          lastError = error;
          break;
        }
        await refuse(item, error);
        await notify();
        continue;
      }
      lastError = error; // no signal or a server error: try again later, in the same order
      item.attempts += 1;
      await save(item).catch(() => {});
      break;
    }
    await run([ITEMS], "readwrite", (tx) => req(tx.objectStore(ITEMS).delete(item.seq)));
    lastError = null;
    serverBackoff = 15000;
    await notify();
  }
  await notify();
}

let started = false;

// Called once by the app: send on start, when the phone comes online and every 30 seconds.
export function start() {
  if (started) return;
  started = true;
  window.addEventListener("online", () => flush());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(() => {
    if (navigator.onLine !== false) flush();
  }, 30000);
  flush();
}
