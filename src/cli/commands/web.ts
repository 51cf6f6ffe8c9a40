import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "@commander-js/extra-typings";
import { InputError } from "../../core/issues.ts";
import { staticServer } from "../../io/static-server.ts";
import { intAtLeast } from "../options.ts";

/** dist-web/ next to dist/ in the package (built by `npm run build`). */
const APP_DIR = fileURLToPath(new URL("../../../dist-web/", import.meta.url));

export function registerWeb(program: Command): void {
  program
    .command("web")
    .description(
      "Serve the web explorer (the whole simulator in the browser) on this machine and print its URL",
    )
    .option("--port <n>", "TCP port (default 8765; 0 picks a free one)", intAtLeast(0))
    .option("--host <address>", "address to listen on (default 127.0.0.1, this machine only)")
    .option("--dir <path>", "serve this built app instead of the package's dist-web/")
    .action(async (options) => {
      const root = options.dir ?? APP_DIR;
      if (!existsSync(`${root.replace(/\/$/, "")}/index.html`)) {
        throw new InputError([
          {
            code: "file-not-readable",
            path: [options.dir ? "--dir" : "dist-web"],
            message: `no built web app in ${root} (run \`npm run build\`, which builds dist-web/)`,
          },
        ]);
      }
      const host = options.host ?? "127.0.0.1";
      const server = staticServer(root.replace(/\/$/, ""));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 8765, host, resolve);
      }).catch((error: NodeJS.ErrnoException) => {
        throw new InputError([
          {
            code: "unavailable",
            path: ["--port"],
            message: `cannot listen on ${host}:${options.port ?? 8765}: ${error.code ?? error.message}`,
          },
        ]);
      });
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      process.stdout.write(`llmsim explorer: http://${shownHost}:${port}/\n(Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
