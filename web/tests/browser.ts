/**
 * Debian's Chromium driven by playwright-core for the web app's browser tests and benchmark. Playwright never
 * downloads a browser here: it starts `/usr/bin/chromium` (installed by tools/ci/install_tools.sh) headless, with
 * a fresh profile folder that is removed afterwards.
 */
import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** A running browser (one fresh profile) and the way to stop it. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile; `locale` sets the browser's language. */
export async function launchBrowser(options: { locale?: string } = {}): Promise<TestBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "aiteacher-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
    locale: options.locale ?? "en-US",
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
