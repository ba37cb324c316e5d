/**
 * Builds the web app into `web/dist` with Vite (`deno task web:build`); with `--watch` it rebuilds on every change
 * (`deno task dev` runs it so), printing one line per build.
 */
import { build } from "vite";

/** The folder the edge serves by default. */
export const WEB_DIST = new URL("./dist", import.meta.url).pathname;

/** Builds once, or keeps rebuilding on change when `watch` is set. */
export async function buildWebApp(
  options: { watch?: boolean; quiet?: boolean; outDir?: string } = {},
): Promise<void> {
  await build({
    configFile: new URL("./vite.config.ts", import.meta.url).pathname,
    logLevel: options.quiet ? "warn" : "info",
    build: { outDir: options.outDir ?? WEB_DIST, ...(options.watch ? { watch: {} } : {}) },
  });
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--out-dir");
  await buildWebApp({
    watch: Deno.args.includes("--watch"),
    quiet: Deno.args.includes("--quiet"),
    outDir: at >= 0 ? Deno.args[at + 1] : undefined,
  });
}
