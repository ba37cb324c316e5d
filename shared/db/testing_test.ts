import assert from "node:assert/strict";
import postgres from "postgres";

const databaseUrl = Deno.env.get("DATABASE_URL") || undefined;

if (databaseUrl) {
  Deno.test("[postgres] a test process drops the throwaway databases it created once it ends", async () => {
    const dir = await Deno.makeTempDir();
    const testing = new URL("./testing.ts", import.meta.url).href;
    const file = `${dir}/uses_databases_test.ts`;
    await Deno.writeTextFile(
      file,
      `import { freshTestDatabase, sharedTestDatabase } from ${JSON.stringify(testing)};
import { queryRows, sql } from ${JSON.stringify(new URL("./client.ts", import.meta.url).href)};
Deno.test({ name: "opens databases", sanitizeOps: false, sanitizeResources: false, fn: async () => {
  for (const database of [await sharedTestDatabase("postgres"), await freshTestDatabase("postgres")]) {
    const rows = await queryRows<{ name: string }>(database.db, sql\`select current_database() as name\`);
    console.log("DATABASE=" + rows[0].name);
  }
} });
`,
    );
    const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "test",
          "-A",
          "--no-check",
          "--config",
          new URL("../../deno.json", import.meta.url).pathname,
          file,
        ],
        env: { DATABASE_URL: databaseUrl },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.ok(out.success, text + new TextDecoder().decode(out.stderr));
      const names = [...text.matchAll(/DATABASE=(aiteacher_test_\w+)/g)].map((m) => m[1]);
      assert.equal(names.length, 2, text);
      let left: string[] = names;
      for (let waited = 0; waited < 20_000 && left.length > 0; waited += 250) {
        await new Promise((r) => setTimeout(r, 250));
        const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname in ${
          admin(names)
        }`;
        left = rows.map((r) => r.datname);
      }
      assert.deepEqual(left, [], "the databases are gone after the run");
    } finally {
      await admin.end();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
