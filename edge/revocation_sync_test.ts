/**
 * Revocations with a remote KV (Upstash through the bridge to the machine's Redis): each edge checks tokens against
 * its own copy of the revocation log, so a signed-in request makes no KV call for them, and a revocation written by
 * core takes effect on every edge within `REVOCATION_MAX_STALENESS_MS` (docs/kv.md, "Revocations").
 */
import assert from "node:assert/strict";
import { revokeUserTokens } from "../core/auth/revocation.ts";
import { createTestUser } from "../core/auth/testing.ts";
import { dbTest } from "../shared/db/testing.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import { openTestKv } from "../shared/kv/testing.ts";
import { createEdgeApp } from "./app.ts";
import { buildEdgeServices } from "./main.ts";
import { createTestStack } from "../testing/stack.ts";

/** The store with every call recorded as `method key`. */
function recording(kv: KvStore): { kv: KvStore; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${String(args[0])}`);
        return value.apply(target, args);
      };
    },
  });
  return { kv: wrapped, calls };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

dbTest(
  "[edge] with Upstash, signed-in requests read no revocation key: one log read serves them all",
  async (database) => {
    const store = await openTestKv("upstash");
    try {
      const { kv, calls } = recording(store.kv);
      const stack = createTestStack(database, { kv, edgeEnv: { REVOCATION_SYNC_INTERVAL_MS: "60000" } });
      const user = await createTestUser(database);
      const bearer = await stack.bearer(user);
      for (let i = 0; i < 20; i++) {
        assert.equal((await stack.edge.request("/api/v1/me", { headers: bearer })).status, 200);
      }
      // Before: two GETs per request (auth:revoked-jti:<jti>, auth:user-revoked-before:<user>), 40 here.
      assert.deepEqual(calls.filter((c) => c.startsWith("get auth:")), []);
      assert.deepEqual(calls.filter((c) => c.startsWith("zrangeByScore")), [
        "zrangeByScore auth:revocations",
      ]);
    } finally {
      await store.close();
    }
  },
);

dbTest(
  "[edge] a revocation on core reaches two edges sharing the KV within REVOCATION_MAX_STALENESS_MS",
  async (database) => {
    const store = await openTestKv("upstash");
    try {
      const maxStalenessMs = 1500;
      const edgeEnv = {
        REVOCATION_SYNC_INTERVAL_MS: "200",
        REVOCATION_MAX_STALENESS_MS: String(maxStalenessMs),
      };
      const stack = createTestStack(database, { kv: store.kv, edgeEnv });
      const second = createEdgeApp(
        buildEdgeServices(stack.edgeServices.env, { kv: store.kv, fetch: stack.edgeServices.fetch }),
      );
      const edges = { first: stack.edge, second };
      const user = await createTestUser(database);
      const other = await createTestUser(database);
      const before = await stack.bearer(user);
      const loggedOut = await stack.bearer(other);
      const bystander = await stack.bearer(other);
      for (const [name, edge] of Object.entries(edges)) {
        for (const headers of [before, loggedOut, bystander]) {
          assert.equal((await edge.request("/api/v1/me", { headers })).status, 200, name);
        }
      }

      // A role change / deactivation / password change path, and a logout through the first edge (a jti).
      await revokeUserTokens(stack.coreServices, user.id, { reason: "sign_out_everywhere" });
      const logout = await stack.edge.request("/api/v1/auth/logout", { method: "POST", headers: loggedOut });
      assert.equal(logout.status, 204);
      const revokedAt = performance.now();

      const refusedAfter: Record<string, number[]> = { first: [], second: [] };
      while (performance.now() - revokedAt < maxStalenessMs + 500) {
        for (const [name, edge] of Object.entries(edges)) {
          for (const headers of [before, loggedOut]) {
            const started = performance.now();
            const status = (await edge.request("/api/v1/me", { headers })).status;
            if (status === 401) refusedAfter[name].push(started - revokedAt);
            // The guarantee: a request that starts later than the bound is refused, on every edge.
            else {assert.ok(
                started - revokedAt <= maxStalenessMs,
                `${name} let a revoked token in (${status})`,
              );}
          }
        }
        await sleep(25);
      }
      for (const name of Object.keys(edges)) assert.ok(refusedAfter[name].length > 0, name);
      const after = await stack.bearer(user);
      for (const edge of Object.values(edges)) {
        assert.equal((await edge.request("/api/v1/me", { headers: after })).status, 200);
        assert.equal((await edge.request("/api/v1/me", { headers: bystander })).status, 200);
      }
    } finally {
      await store.close();
    }
  },
);

dbTest(
  "[edge] with Upstash, a revocation mirror that cannot sync within the bound answers 503 with Retry-After",
  async (database) => {
    const store = await openTestKv("upstash");
    try {
      let down = false;
      const kv: KvStore = new Proxy(store.kv, {
        get(target, prop, receiver) {
          if (prop === "zrangeByScore" && down) return () => Promise.reject(new Error("connection refused"));
          const value = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const stack = createTestStack(database, {
        kv,
        edgeEnv: { REVOCATION_SYNC_INTERVAL_MS: "100", REVOCATION_MAX_STALENESS_MS: "400" },
      });
      const user = await createTestUser(database);
      const bearer = await stack.bearer(user);
      assert.equal((await stack.edge.request("/api/v1/me", { headers: bearer })).status, 200);
      down = true;
      await sleep(500);
      const res = await stack.edge.request("/api/v1/me", { headers: bearer });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "5");
      assert.equal((await res.json()).error.code, "UNAVAILABLE");
      const metrics = await stack.edgeServices.metrics.registry.metrics();
      assert.match(metrics, /edge_kv_fallback_total\{component="revocation"[^}]*\} [1-9]/);
      const age = Number(/edge_revocation_mirror_age_seconds\{[^}]*\} (\S+)/.exec(metrics)?.[1]);
      assert.ok(age > 0.4, `mirror age ${age} s`);
      // Public routes do not depend on it.
      assert.equal((await stack.edge.request("/api/v1/healthz")).status === 503, false);
      down = false;
      assert.equal((await stack.edge.request("/api/v1/me", { headers: bearer })).status, 200);
    } finally {
      await store.close();
    }
  },
);
