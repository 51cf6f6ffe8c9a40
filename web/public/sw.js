// llmsim explorer service worker: the app's own files are kept as they load, so the explorer works
// offline afterwards. Hashed build assets (assets/) are served from the cache first; everything
// else (the page) goes to the network first and falls back to the cache. Only complete (200)
// same-origin responses are kept; older caches are deleted when a new worker takes over.
const CACHE = "llmsim-explorer-v2";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  ),
);

const sameOrigin = (url) => new URL(url, self.location.href).origin === self.location.origin;
const isAsset = (url) => new URL(url, self.location.href).pathname.includes("/assets/");

// The page sends the files it loaded before this worker controlled it.
self.addEventListener("message", (event) => {
  const urls = event.data?.type === "cache" && Array.isArray(event.data.urls) ? event.data.urls : [];
  const own = urls.filter((url) => typeof url === "string" && sameOrigin(url));
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(own))
      .catch(() => undefined),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url) || request.headers.has("range")) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: !isAsset(request.url) });
      if (cached && isAsset(request.url)) return cached;
      try {
        const response = await fetch(request);
        if (response.status === 200) cache.put(request, response.clone()).catch(() => undefined);
        return response;
      } catch (error) {
        if (cached) return cached;
        throw error;
      }
    }),
  );
});
