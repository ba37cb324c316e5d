/** What every journey checks on a page: no serious or critical axe-core violation; and its screenshots. */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

// axe-core from the project's node_modules (installed from npm by `deno install`), injected into each page.
const axeSource = await Deno.readTextFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));

/** Where the screenshots the README shows live; a test run refreshes them with `SCREENSHOTS=update` or when missing. */
export const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url).pathname;
/** Where every run writes its screenshots (git-ignored), so a run never changes the committed pictures. */
const LATEST = new URL("../../.data/screenshots/", import.meta.url).pathname;

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

/**
 * Saves a screenshot of the viewport as `.data/screenshots/<name>.png`, and as `docs/screenshots/<name>.png` when
 * `SCREENSHOTS=update` is set or the committed one is missing.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(LATEST, { recursive: true });
  const png = await page.screenshot({ path: `${LATEST}${name}.png`, animations: "disabled" });
  const committed = `${SCREENSHOTS}${name}.png`;
  const exists = await Deno.stat(committed).then(() => true, () => false);
  if (Deno.env.get("SCREENSHOTS") === "update" || !exists) {
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    await Deno.writeFile(committed, png);
  }
}
