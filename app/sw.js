// Kartoteka's service worker: keeps the app shell (index.html, the wasm, the
// JS glue, the CSS, the icons) in Cache Storage so the app opens with no
// network. The list and the version below are written at build time by
// app/precache.sh; a new build is a new version, whose cache replaces the old.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const PREFIX = "kartoteka-shell-";
const CACHE = PREFIX + VERSION;
// How long a navigation waits for the network before the cached shell is used.
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The API and the sync socket are never cached: data lives in IndexedDB.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // Every route of the app is the same shell. Ask the network first so an
    // update is seen at once; fall back to the cached shell when offline.
    event.respondWith(
      withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS)
        .then((response) => (response.ok ? response : Promise.reject(new Error("bad status"))))
        .catch(() => caches.match("/index.html", { cacheName: CACHE })
          .then((hit) => hit || caches.match("/index.html"))),
    );
    return;
  }
  // Hashed assets never change: the cache answers first.
  event.respondWith(
    caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
