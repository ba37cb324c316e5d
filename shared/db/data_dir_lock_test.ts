import assert from "node:assert/strict";
import { openPglite } from "./client.ts";
import { DataDirLockedError, lockDataDir } from "./data_dir_lock.ts";

Deno.test("lockDataDir() lets one holder in, refuses a second at once naming the holder, and frees on release", async () => {
  const dir = `${await Deno.makeTempDir()}/pglite`;
  const first = lockDataDir(dir);
  const refused = (() => {
    try {
      lockDataDir(dir);
    } catch (err) {
      return err;
    }
  })();
  assert.ok(refused instanceof DataDirLockedError);
  assert.equal(refused.holder?.pid, Deno.pid);
  assert.match(refused.message, new RegExp(`in use by process ${Deno.pid} `));
  first.release();
  lockDataDir(dir).release();
});

Deno.test("lockDataDir() takes over a lock file left by a process that is gone", async () => {
  const dir = `${await Deno.makeTempDir()}/pglite`;
  const dead = await new Deno.Command(Deno.execPath(), { args: ["eval", "console.log(Deno.pid)"] }).output();
  const deadPid = Number(new TextDecoder().decode(dead.stdout).trim());
  await Deno.writeTextFile(
    `${dir}.lock`,
    JSON.stringify({ pid: deadPid, command: "deno gone", since: "then" }),
  );
  const lock = lockDataDir(dir);
  assert.equal(JSON.parse(await Deno.readTextFile(`${dir}.lock`)).pid, Deno.pid);
  lock.release();
});

Deno.test("admin:create fails at once, naming the process, while another process has the embedded database open", async () => {
  const dataDir = await Deno.makeTempDir();
  const database = await openPglite(`${dataDir}/pglite`);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../tools/admin_create.ts", import.meta.url).pathname,
        "--email",
        "root@uni.example",
      ],
      cwd: new URL("../..", import.meta.url).pathname,
      // Empty counts as unset: the child opens the embedded database even when the suite runs on Postgres.
      env: { DATA_DIR: dataDir, LOG_LEVEL: "error", DATABASE_URL: "" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("a long admin passphrase\n"));
    await writer.close();
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stdout + stderr);
    assert.doesNotMatch(stdout, /Created admin/);
    assert.match(stderr, new RegExp(`in use by process ${Deno.pid} `));
  } finally {
    await database.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
