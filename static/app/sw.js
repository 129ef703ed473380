// The service worker: keeps the app shell on the phone so the app opens without signal.
// Registered with scope "/" (the server allows it) so that it also sees label links (/s/...).
// The server fills in SHELL: every file of the app (screens, styles, icons, vendored libraries)
// and a version made from their contents, so any change installs a fresh cache.
const SHELL = { version: "dev", files: ["/app/"] }; // filled in by the server
const PREFIX = "xunjian-shell-";
const CACHE = PREFIX + SHELL.version;
const FILES = new Set(SHELL.files);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.files.map((f) => new Request(f, { cache: "no-cache" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function fromCache(path, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) cache.put(path, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is never cached: answers are personal and must be current. Offline work waits in
  // the page's outbox instead.
  if (url.pathname.startsWith("/api/")) return;
  // A label's URL opened by the phone's camera app: the server would redirect it to the app's
  // scan screen; do the same here, so scanning works in a basement without signal.
  const label = url.pathname.match(/^\/s\/([^/]+)$/);
  if (request.mode === "navigate" && label) {
    event.respondWith(Response.redirect(`${self.location.origin}/app/#/scan/${label[1]}`, 302));
    return;
  }
  if (request.mode === "navigate" && (url.pathname === "/app/" || url.pathname === "/app/index.html")) {
    event.respondWith(fromCache("/app/", request));
    return;
  }
  if (FILES.has(url.pathname)) event.respondWith(fromCache(url.pathname, request));
});
