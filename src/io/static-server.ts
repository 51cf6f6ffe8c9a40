import { readFileSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * A static file server for the built web app: GET/HEAD only, no directory listings, nothing outside
 * `root`, gzip when the browser accepts it (compressed once per file), hashed assets cached forever.
 */
export function staticServer(directory: string): Server {
  const root = realpathSync(resolve(directory));
  const inside = (path: string) => path === root || path.startsWith(root + sep);
  /** The real file a URL path names, or null (missing, a directory, or outside the root, symlinks resolved). */
  const fileOf = (path: string): string | null => {
    const file = normalize(join(root, path));
    if (!inside(file)) return null;
    try {
      const real = realpathSync(file);
      return inside(real) && statSync(real).isFile() ? real : null;
    } catch {
      return null;
    }
  };
  const gzipped = new Map<string, Buffer>();
  return createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    if (path.endsWith("/")) path += "index.html";
    const file = fileOf(path);
    if (file === null) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    const compressible = type.startsWith("text/") || type.includes("json") || type.includes("svg");
    const acceptsGzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("cannot read the file\n");
      return;
    }
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
      "X-Content-Type-Options": "nosniff",
      // The app needs only its own files, plus the Hugging Face config fetch a user asks for.
      "Content-Security-Policy":
        "default-src 'self'; connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-eval'; worker-src 'self'",
    };
    if (compressible && acceptsGzip) {
      let zipped = gzipped.get(file);
      if (!zipped) {
        zipped = gzipSync(body, { level: 9 });
        gzipped.set(file, zipped);
      }
      body = zipped;
      headers["Content-Encoding"] = "gzip";
      headers.Vary = "Accept-Encoding";
    }
    headers["Content-Length"] = String(body.length);
    response.writeHead(200, headers);
    response.end(request.method === "HEAD" ? undefined : body);
  });
}
