import assert from "node:assert/strict";

Deno.test("[edge] a forwarded request prints no legacy request-signal warning (the project opts into the current abort behaviour)", async () => {
  const core = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ ok: 1 }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      CORE_URL: `http://127.0.0.1:${core.addr.port}`,
      EDGE_PORT: "0",
      EDGE_HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let buffered = "";
    let url: string | undefined;
    while (!url) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`edge did not start: ${buffered}`);
      buffered += value;
      url = /"msg":"listening".*?"url":"([^"]+)"/.exec(buffered)?.[1];
    }
    const drained = (async () => {
      while (!(await lines.read()).done) { /* access log lines */ }
    })();
    for (let i = 0; i < 3; i++) {
      const res: Response = await fetch(`${url}/api/v1/version`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGTERM");
    await child.status;
    await drained;
    assert.doesNotMatch(await stderr, /legacy behavior/);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await core.shutdown();
  }
});
