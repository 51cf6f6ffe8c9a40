import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative as relativePath } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticServer } from "../../src/io/static-server.ts";

const root = mkdtempSync(join(tmpdir(), "llmsim-static-"));
mkdirSync(join(root, "assets"));
writeFileSync(join(root, "index.html"), "<!doctype html><title>x</title>");
writeFileSync(join(root, "assets", "app-1.js"), "console.log(1);".repeat(100));
writeFileSync(join(root, "..", "secret-llmsim.txt"), "secret");
symlinkSync(join(root, "..", "secret-llmsim.txt"), join(root, "assets", "link.txt"));
const server = staticServer(root);
let port = 0;

beforeAll(
  () =>
    new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      }),
    ),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("llmsim web's static server", () => {
  it("serves index.html for / and assets with their type, gzipped when accepted, cached forever", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    const js = await get("/assets/app-1.js", { "accept-encoding": "gzip, br" });
    expect(js.headers["content-encoding"]).toBe("gzip");
    expect(js.headers["cache-control"]).toContain("immutable");
    expect(gunzipSync(js.body).toString()).toBe("console.log(1);".repeat(100));
    expect((await get("/assets/app-1.js")).headers["content-encoding"]).toBeUndefined();
  });

  it("never serves outside its directory, lists nothing and accepts only GET/HEAD", async () => {
    expect((await get("/../secret-llmsim.txt")).status).toBe(404);
    expect((await get("/%2e%2e/secret-llmsim.txt")).status).toBe(404);
    expect((await get("/assets")).status).toBe(404);
    expect((await get("/assets/link.txt")).status).toBe(404);
    expect((await get("/missing.js")).status).toBe(404);
    expect((await get("/", {}, "POST")).status).toBe(405);
  });

  it("a relative directory works (./dist-web)", async () => {
    const relative = staticServer(`./${relativePath(process.cwd(), root)}`);
    await new Promise<void>((resolve) => relative.listen(0, "127.0.0.1", resolve));
    const other = (relative.address() as AddressInfo).port;
    const status = await new Promise<number>((resolve) =>
      request({ host: "127.0.0.1", port: other, path: "/" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).end(),
    );
    await new Promise<void>((resolve) => relative.close(() => resolve()));
    expect(status).toBe(200);
  });

  it("llmsim web without a built app is a clear usage error", () => {
    const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
    const run = spawnSync(process.execPath, [bin, "web", "--dir", join(root, "nothing")], {
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no built web app in .*nothing/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
