/**
 * Builds the web app into `web/dist`: content-hashed files under `assets/`, an `index.html` that names them. The
 * edge serves the result (`edge/web/static.ts`); nothing is loaded from another origin.
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  base: "/",
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // `.vite/manifest.json` lists each chunk's static imports: `deno task bench:web` sums the chat page's JS.
    manifest: true,
    target: "es2022",
    // Fonts and the PDF worker are files of their own (never inlined), so the edge can cache them for good.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    // No plugin-timing report in the build output (it reads as a problem in test logs; it is not one).
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: { fs: { allow: [".."] } },
});
