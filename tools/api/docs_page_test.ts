import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { parseEnv } from "../../shared/env.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { createEdgeApp } from "../../edge/app.ts";
import { edgeEnvSchema } from "../../edge/env.ts";
import { buildEdgeServices } from "../../edge/main.ts";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = new URL("../../docs/api-docs.png", import.meta.url);

Deno.test({
  name:
    "[e2e] the API reference at /api/docs renders in headless Chromium from the edge alone (screenshot in docs/)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await Deno.stat(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (tools/ci/install_tools.sh does)`);
    });
    const parsed = parseEnv(edgeEnvSchema, { CORE_URL: "http://127.0.0.1:9", LOG_LEVEL: "error" });
    const edge = createEdgeApp({
      ...buildEdgeServices(parsed, { kv: new MemoryKv() }),
      logger: memoryLogger("edge"),
    });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, edge.fetch);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
      // Playwright gives every launch a fresh, temporary user-data-dir of its own.
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems: string[] = [];
      const offOrigin: string[] = [];
      const origin = `http://127.0.0.1:${server.addr.port}`;
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on(
        "request",
        (r) => !r.url().startsWith(origin) && !r.url().startsWith("data:") && offOrigin.push(r.url()),
      );
      await page.goto(`${origin}/api/docs`);
      await page.getByRole("heading", { name: /AI Teacher API/ }).waitFor({ timeout: 30_000 });
      // The areas of the API are listed, and opening one shows its operations.
      await page.getByRole("heading", { name: /^auth/ }).first().waitFor();
      assert.ok(await page.getByText("/api/v1/auth/login").first().isVisible());
      assert.deepEqual(offOrigin, [], "everything comes from the edge: no CDN");
      assert.deepEqual(problems, [], "no script errors and no CSP violations");
      // Open one operation, as a reader would, so the picture shows a request body and the error responses.
      await page.getByText("/api/v1/auth/login", { exact: true }).first().click();
      await page.getByText("Request body").first().waitFor();
      await page.getByText("/api/v1/auth/login", { exact: true }).first().scrollIntoViewIfNeeded();
      await page.mouse.wheel(0, -80);
      assert.deepEqual(problems, [], "no script errors after opening an operation");
      const png = await page.screenshot({ fullPage: false });
      assert.ok(png.byteLength > 20_000, "a page with content, not a blank screen");
      // docs/api.md shows this picture; refresh it with SCREENSHOTS=update (or when it is missing).
      const exists = await Deno.stat(SCREENSHOT).then(() => true, () => false);
      if (Deno.env.get("SCREENSHOTS") === "update" || !exists) await Deno.writeFile(SCREENSHOT, png);
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
});
