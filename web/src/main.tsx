import { render } from "preact";
import { App } from "./app.tsx";
import { EngineClient } from "./engine/client.ts";
import "./style.css";

render(<App client={new EngineClient()} />, document.getElementById("app") as HTMLElement);

// Offline once loaded: a service worker keeps the app's own files (no other origin is contacted).
if (import.meta.env.PROD && "serviceWorker" in navigator && location.protocol.startsWith("http")) {
  navigator.serviceWorker.register("./sw.js").catch(() => undefined);
}
