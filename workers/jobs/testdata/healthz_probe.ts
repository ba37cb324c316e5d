/**
 * Probes a URL from its own process every `intervalMs` and prints one line per probe: `ok` when it answered 200
 * within `timeoutMs`, `fail <why>` otherwise. A process of its own, so a stalled event loop in the server under
 * test shows as failed probes instead of delaying the prober too. Runs until killed.
 */
const [url, intervalMs = "50", timeoutMs = "2000"] = Deno.args;
const encoder = new TextEncoder();
while (true) {
  const started = performance.now();
  let line: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(Number(timeoutMs)) });
    await res.body?.cancel();
    line = res.status === 200 ? "ok" : `fail status ${res.status}`;
  } catch (err) {
    line = `fail ${(err as Error).name}`;
  }
  Deno.stdout.writeSync(encoder.encode(`${line} ${Math.round(performance.now() - started)} ${Date.now()}\n`));
  await new Promise((r) => setTimeout(r, Math.max(0, Number(intervalMs) - (performance.now() - started))));
}
