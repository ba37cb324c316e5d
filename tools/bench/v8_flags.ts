/** The `--v8-flags=…` of deno.json's `start:edge` task (what production runs), or undefined when it has none. */
export function edgeV8Flags(denoJson: string): string | undefined {
  const task = (JSON.parse(denoJson) as { tasks: Record<string, string> }).tasks["start:edge"] ?? "";
  return /(--v8-flags=\S+)/.exec(task)?.[1];
}
