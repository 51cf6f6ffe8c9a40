import { render } from "preact";
import { App } from "./app.tsx";
import { EngineClient } from "./engine/client.ts";
import "./style.css";

render(<App client={new EngineClient()} />, document.getElementById("app") as HTMLElement);

// Offline once loaded: a service worker keeps the app's own files (no other origin is contacted).
// Files loaded before it took control are handed to it once it is ready.
if (import.meta.env.PROD && "serviceWorker" in navigator && location.protocol.startsWith("http")) {
  navigator.serviceWorker
    .register("./sw.js")
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const urls = performance
        .getEntriesByType("resource")
        .map((entry) => entry.name)
        .filter((url) => new URL(url).origin === location.origin);
      registration.active?.postMessage({ type: "cache", urls: [new URL("./", location.href).href, ...urls] });
    })
    .catch(() => undefined);
}
