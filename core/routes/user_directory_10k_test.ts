/**
 * The user directory at scale: 10,000 accounts paged through `GET /v1/users` by the API's cursor. Every account is
 * visited exactly once, in email order, and a page's time does not grow with the depth of the cursor (keyset
 * paging over the live-email index, never an offset).
 */
import assert from "node:assert/strict";
import { users } from "../../shared/db/schema/mod.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

const ROWS = 10_000;

dbTest(
  "[core] 10,000 users page through GET /v1/users once each, in order, at a steady speed",
  async (database) => {
    const world = await createAcademicWorld(database);
    const tag = crypto.randomUUID().slice(0, 8);
    const ids = new Set<string>();
    for (let start = 0; start < ROWS; start += 1000) {
      const rows = await database.db.insert(users).values(
        Array.from({ length: 1000 }, (_, i) => ({
          email: `bulk-${tag}-${String(start + i).padStart(5, "0")}@uni.example`,
          role: "STUDENT" as const,
          displayName: `Bulk ${start + i}`,
        })),
      ).returning({ id: users.id });
      for (const r of rows) ids.add(r.id);
    }
    const admin = createTestCore(database).asUser(world.admin);

    // The whole directory (other tests' users too), 100 a page: every bulk account once, emails strictly rising.
    const seen = new Set<string>();
    const times: number[] = [];
    let cursor: string | null = null;
    let previous = "";
    let pages = 0;
    do {
      const path: string = `/v1/users?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const started = performance.now();
      const res = await admin.request("GET", path);
      times.push(performance.now() - started);
      assert.equal(res.status, 200);
      const page: { items: { id: string; email: string }[]; nextCursor: string | null } = await res.json();
      assert.ok(page.items.length <= 100);
      for (const u of page.items) {
        assert.ok(!seen.has(u.id), `${u.email} seen twice`);
        seen.add(u.id);
        assert.ok(u.email > previous, `${u.email} after ${previous}`);
        previous = u.email;
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    const missing = [...ids].filter((id) => !seen.has(id));
    assert.deepEqual(missing, [], "every bulk account is listed");
    assert.ok(pages >= ROWS / 100);

    // Keyset paging: the deepest pages cost what the first ones do (an offset would grow with depth).
    const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
    const early = median(times.slice(1, 11));
    const late = median(times.slice(-10));
    console.log(
      `10k directory: ${pages} pages, median ${median(times).toFixed(1)} ms, first ten ${
        early.toFixed(1)
      } ms, ` +
        `last ten ${late.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${database.kind})`,
    );
    assert.ok(median(times) < 250, `a page takes ${median(times)} ms (median)`);
    assert.ok(late < Math.max(3 * early, early + 50), `deep pages ${late} ms vs early ${early} ms`);

    // A search narrows to the bulk accounts and pages them too.
    const found = await (await admin.request("GET", `/v1/users?q=bulk-${tag}&limit=100`)).json();
    assert.equal(found.items.length, 100);
    assert.ok(found.nextCursor);
  },
);
