import assert from "node:assert/strict";

const loggerUrl = new URL("./logger.ts", import.meta.url).href;
const root = new URL("..", import.meta.url).pathname;

/** Runs `body` in a child process with a logger at info on the default sink; returns what it printed. */
async function run(body: string) {
  const code = `import { createLogger } from "${loggerUrl}";\nconst log = createLogger("t");\n${body}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = (text: Uint8Array) =>
    new TextDecoder().decode(text).split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  return { code: out.code, stdout: lines(out.stdout), stderr: lines(out.stderr) };
}

const MANY = `for (let i = 0; i < 3000; i++) log.info("line", { i });`;

function assertAllInOrder(lines: { msg: string; i?: number }[]) {
  const numbered = lines.filter((l) => l.msg === "line").map((l) => l.i);
  assert.deepEqual(numbered, Array.from({ length: 3000 }, (_, i) => i));
}

Deno.test("[logger] batched stdout lines are all written, in order, when the process ends on its own", async () => {
  const { code, stdout } = await run(MANY);
  assert.equal(code, 0);
  assertAllInOrder(stdout);
});

Deno.test("[logger] batched stdout lines are written before Deno.exit and before an uncaught error ends it", async () => {
  const exited = await run(`${MANY}\nDeno.exit(3);`);
  assert.equal(exited.code, 3);
  assertAllInOrder(exited.stdout);
  const crashed = await run(`${MANY}\nsetTimeout(() => { throw new Error("boom"); }, 1);`);
  assert.equal(crashed.code, 1);
  assertAllInOrder(crashed.stdout);
});

Deno.test("[logger] warnings go to stderr; info lines waiting before them are written first", async () => {
  const { stdout, stderr } = await run(
    `log.info("before");\nlog.warn("careful");\nconsole.log(JSON.stringify({ msg: "marker" }));\nDeno.exit(0);`,
  );
  // The marker is written by console.log right after the warning: "before" must already be out, ahead of it.
  assert.deepEqual(stdout.map((l) => l.msg), ["before", "marker"]);
  assert.deepEqual(stderr.map((l) => l.msg), ["careful"]);
  assert.equal(stderr[0].level, "warn");
});

Deno.test("[logger] a line reaches stdout within moments while the process keeps running", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { createLogger } from "${loggerUrl}";\ncreateLogger("t").info("alive");\nsetTimeout(() => {}, 60_000);`,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // Without a timed flush the line would wait for the process to end: stop it after 20 s and fail then.
  const giveUp = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.equal(JSON.parse(text.split("\n")[0] || "{}").msg, "alive");
  } finally {
    clearTimeout(giveUp);
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await reader.cancel();
  }
});
