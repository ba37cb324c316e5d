/** What every journey checks on a page: no serious or critical axe-core violation; and its screenshots. */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

// axe-core from the project's node_modules (installed from npm by `deno install`), injected into each page.
const axeSource = await Deno.readTextFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));

/** Where the screenshots the README shows are written. */
export const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url).pathname;

/** Runs axe-core on the page as it is now and fails on any serious or critical violation. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  // Evaluated over the DevTools protocol, so the page's Content-Security-Policy (no inline scripts) stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical")
      .map((v: { id: string; impact: string; nodes: { target: string[] }[] }) =>
        `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
      );
  }) as string[];
  assert.deepEqual(violations, [], `axe-core on ${where}`);
}

/** Saves a screenshot of the viewport as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: "disabled" });
}
