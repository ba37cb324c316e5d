/**
 * The public API's description at the edge: `GET /api/v1/openapi.json` (the generated document, no token needed)
 * and an interactive reference at `/api/docs` (Swagger UI from npm, its assets served from here: no CDN).
 */
import type { Context, Hono } from "hono";
import document from "../shared/api/openapi.json" with { type: "json" };
import { setResponseHeader } from "../shared/http/response_headers.ts";
// Imported (not only resolved) so the package is installed wherever the edge runs; it names its own folder.
import swaggerUiFolder from "swagger-ui-dist/absolute-path.js";
import { sha256Hex } from "../shared/crypto.ts";

/** Where the reference page lives. */
export const DOCS_PATH = "/api/docs";
/** Where the document lives (a public route of the policy table). */
export const OPENAPI_PATH = "/api/v1/openapi.json";

/** The docs page may run its own scripts and styles (Swagger UI sets style attributes), nothing from elsewhere. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI Teacher API reference</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

/** Files of swagger-ui-dist the page loads, with their types. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const assetCache = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();

function readAsset(name: string): Promise<Uint8Array<ArrayBuffer> | null> {
  let bytes = assetCache.get(name);
  if (!bytes) {
    // Resolved to the installed package's file; missing (e.g. a deployment without the package) answers 404.
    bytes = Deno.readFile(`${swaggerUiFolder()}/${name}`).catch(() => null);
    assetCache.set(name, bytes);
  }
  return bytes;
}

const documentText = JSON.stringify(document);
let documentTag: Promise<string> | undefined;

function etagOf(text: string): Promise<string> {
  return sha256Hex(text, 16).then((hex) => `"${hex}"`);
}

/** Answers the document, with an ETag and a short public lifetime. */
export async function serveOpenApiDocument(c: Context): Promise<Response> {
  const tag = await (documentTag ??= etagOf(documentText));
  const headers = { "Cache-Control": "public, max-age=300", ETag: tag };
  if (c.req.header("if-none-match") === tag) return c.body(null, 304, headers);
  return c.body(documentText, 200, { ...headers, "Content-Type": "application/json; charset=utf-8" });
}

/** Registers the reference page and its assets (outside `/api/v1`: no token, no route policy). */
// deno-lint-ignore no-explicit-any
export function registerApiDocs(app: Hono<any>): void {
  const page = (c: Context) => {
    setResponseHeader(c, "Content-Security-Policy", DOCS_CSP);
    return c.html(PAGE, 200, { "Cache-Control": "public, max-age=300" });
  };
  app.get(DOCS_PATH, page);
  app.get(`${DOCS_PATH}/`, page);
  app.get(`${DOCS_PATH}/init.js`, (c) =>
    c.body(INIT, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    }));
  app.get(`${DOCS_PATH}/:asset`, async (c) => {
    const name = c.req.param("asset");
    const type = ASSETS[name];
    const bytes = type ? await readAsset(name) : null;
    if (!bytes) return c.notFound();
    return c.body(bytes, 200, { "Content-Type": type, "Cache-Control": "public, max-age=86400" });
  });
}
