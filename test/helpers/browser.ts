import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless Chromium with the flags this machine needs (root, no network beyond loopback). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--font-render-hinting=none",
    ],
  });
}

/** `llmsim web --port 0` (the built CLI serving dist-web/), and the URL it printed. */
export async function startWebServer(): Promise<{ url: string; stop: () => void }> {
  const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
  const child: ChildProcess = spawn(process.execPath, [bin, "web", "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk) => {
      out += String(chunk);
      const match = /http:\/\/[^\s]+\//.exec(out);
      if (match) resolve(match[0]);
    });
    child.stderr?.on("data", (chunk) => {
      err += String(chunk);
    });
    child.once("exit", (code) => reject(new Error(`llmsim web exited with ${code}: ${err}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}
