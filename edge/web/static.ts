/**
 * Serves the built web app (`web/dist`, made by `deno task web:build`) on the edge's own origin, so the browser
 * reaches `/api/v1` without CORS and the refresh cookie works. Content-hashed files under `/assets/` are immutable;
 * `index.html` is never cached, so a new deploy reaches every browser at its next navigation; any other path
 * without a file extension is a client route and gets `index.html` (single-page fallback). Paths the edge owns
 * (`/api/*`, `/healthz`, `/readyz`, `/metrics`) are never answered here.
 */
import type { Context, MiddlewareHandler } from "hono";
import { setResponseHeader } from "../../shared/http/response_headers.ts";
import { sha256Hex } from "../../shared/crypto.ts";

/** The policy for the app's pages: everything from this origin, nothing from anywhere else. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // KaTeX and the PDF viewer position their output with style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  woff: "font/woff",
  ttf: "font/ttf",
  txt: "text/plain; charset=utf-8",
  map: "application/json",
  bcmap: "application/octet-stream",
  pfb: "application/octet-stream",
  wasm: "application/wasm",
};

/** Whether the edge itself owns `path` (the API and the operational endpoints): never served from the app. */
export function isEdgePath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/healthz" || path === "/readyz" ||
    path === "/metrics";
}

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** Options of `serveWebApp`. */
export interface WebAppOptions {
  /** The built app's folder (holds `index.html` and `assets/`). */
  distDir: string;
}

/** The middleware that answers `GET`/`HEAD` for the app's files and client routes; anything else passes on. */
export function serveWebApp(options: WebAppOptions): MiddlewareHandler {
  const dir = options.distDir.replace(/\/+$/, "");
  // Hashed assets never change under their name, so they are kept in memory once read; `index.html` and the
  // other unhashed files are read each time (a rebuild in `deno task dev` replaces them).
  const assets = new Map<string, StaticFile>();

  async function load(relative: string): Promise<StaticFile | null> {
    const kept = assets.get(relative);
    if (kept) return kept;
    let file: StaticFile | null = null;
    try {
      const body = await Deno.readFile(`${dir}/${relative}`);
      const ext = relative.slice(relative.lastIndexOf(".") + 1).toLowerCase();
      const etag = `"${await sha256Hex(body, 12)}"`;
      file = { body, type: TYPES[ext] ?? "application/octet-stream", etag };
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory)) throw err;
    }
    if (file && relative.startsWith("assets/")) assets.set(relative, file);
    return file;
  }

  function respond(c: Context, file: StaticFile, cacheControl: string): Response {
    setResponseHeader(c, "Content-Security-Policy", WEB_CSP);
    const headers = { "Content-Type": file.type, "Cache-Control": cacheControl, ETag: file.etag };
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    return c.body(file.body, 200, headers);
  }

  return async (c, next) => {
    const path = c.req.path;
    if ((c.req.method !== "GET" && c.req.method !== "HEAD") || isEdgePath(path)) return await next();
    let relative: string;
    try {
      relative = decodeURIComponent(path).replace(/^\/+/, "");
    } catch {
      return await next();
    }
    // No way out of the dist folder, and no hidden files.
    if (relative.split("/").some((part) => part === ".." || part.startsWith("."))) return await next();
    const lastPart = relative.slice(relative.lastIndexOf("/") + 1);
    if (relative !== "" && relative !== "index.html" && lastPart.includes(".")) {
      const file = await load(relative);
      if (!file) return await next();
      const immutable = relative.startsWith("assets/");
      return respond(c, file, immutable ? "public, max-age=31536000, immutable" : "public, max-age=300");
    }
    // The app's entry page, for `/` and every client route.
    const index = await load("index.html");
    if (!index) {
      return c.text("The web app is not built: run `deno task web:build` (or set WEB_DIST_DIR).", 404);
    }
    return respond(c, index, "no-cache");
  };
}
