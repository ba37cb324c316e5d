import assert from "node:assert/strict";
import { ASSERTION_HEADER } from "../../shared/assertion.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createCoreApp } from "../app.ts";
import { createTestUser, testAssertion, testCoreServices } from "../auth/testing.ts";

dbTest(
  "[core] a scoped, cacheable answer is hashed on the calling thread (ETag, scope fingerprint): no Web Crypto digest",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCoreApp(services);
    const student = await createTestUser(database);
    const assertion = await testAssertion(services.env.EDGE_ASSERTION_SECRET!, {
      identity: { userId: student.id, role: "STUDENT" },
      method: "GET",
      target: "/v1/me/courses",
    });
    // Web Crypto's digest goes to a worker thread and back for every call, which showed on the tail under load.
    const digest = crypto.subtle.digest;
    let calls = 0;
    crypto.subtle.digest = (...args: Parameters<typeof digest>) => {
      calls++;
      return digest.apply(crypto.subtle, args);
    };
    try {
      const res = await app.request("/v1/me/courses", { headers: { [ASSERTION_HEADER]: assertion } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("etag") ?? "", /^(W\/)?"[0-9a-f]{64}"$/);
      assert.equal(res.headers.get("cache-control"), "private, no-cache");
      assert.equal(calls, 0, "Web Crypto digests per request");
    } finally {
      crypto.subtle.digest = digest;
    }
  },
);
