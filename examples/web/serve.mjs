// The example's own static server (no dependencies): serves public/ and tells the page where the API is.
//   PORT=5090 API_BASE=http://localhost:5080 node serve.mjs
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("./public/", import.meta.url));
const contentTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Starts the server and resolves with it once it listens; `port` 0 picks a free port. */
export function startServer({ port = 5090, host = "127.0.0.1", apiBase = "http://localhost:5080" } = {}) {
  const server = createServer(async (request, response) => {
    const send = (status, type, body) => {
      response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      return send(405, "text/plain", "Method not allowed");
    }
    const { pathname } = new URL(request.url ?? "/", "http://example.invalid");
    if (pathname === "/config.json") {
      return send(200, "application/json", JSON.stringify({ apiBase }));
    }
    try {
      const file = normalize(join(root, decodeURIComponent(pathname.endsWith("/") ? `${pathname}index.html` : pathname)));
      if (!file.startsWith(root) || file.includes(`${sep}.`)) {
        return send(404, "text/plain", "Not found");
      }
      send(200, contentTypes[extname(file)] ?? "application/octet-stream", await readFile(file));
    } catch {
      send(404, "text/plain", "Not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 5090);
  const apiBase = process.env.API_BASE ?? "http://localhost:5080";
  const server = await startServer({ port, host: process.env.HOST ?? "127.0.0.1", apiBase });
  console.log(`HeadlessNews example on http://localhost:${server.address().port} (API: ${apiBase}).`);
  console.log(`Start the API with Cors__Origins=http://localhost:${server.address().port} so the browser may call it.`);
}
