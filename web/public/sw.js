// llmsim explorer service worker: same-origin files are cached as they load, so the app works
// offline afterwards. Pages are network-first (a new build shows up), hashed assets cache-first.
const CACHE = "llmsim-explorer-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The page sends the files it loaded before this worker controlled it.
self.addEventListener("message", (event) => {
  const urls = event.data?.type === "cache" && Array.isArray(event.data.urls) ? event.data.urls : [];
  const own = urls.filter((url) => typeof url === "string" && new URL(url).origin === self.location.origin);
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(own)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  const isPage = request.mode === "navigate";
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: isPage });
      if (cached && !isPage) return cached;
      try {
        const response = await fetch(request);
        if (response.ok) cache.put(request, response.clone());
        return response;
      } catch (error) {
        if (cached) return cached;
        throw error;
      }
    }),
  );
});
