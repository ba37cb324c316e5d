import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { users } from "../shared/db/schema/mod.ts";
import { createTestUser } from "../core/auth/testing.ts";
import { ASSERTION_HEADER, bodyDigest, signAssertion } from "../shared/assertion.ts";
import { dbTest } from "../shared/db/testing.ts";
import { createTestStack } from "../testing/stack.ts";

dbTest(
  "[edge] sign in, call, log out: the same access token is then refused at the edge",
  async (database) => {
    const stack = createTestStack(database);
    const user = await createTestUser(database);
    const login = await stack.api().POST("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
    });
    assert.equal(login.response.status, 200);
    const cookie = login.response.headers.getSetCookie().find((c) => c.startsWith("refresh_token="))!
      .split(";")[0];
    const api = stack.api({ token: login.data!.accessToken });
    const me = await api.GET("/api/v1/me");
    assert.equal(me.response.status, 200);
    assert.equal(me.data!.email, user.email);
    const logout = await api.POST("/api/v1/auth/logout", { headers: { cookie } });
    assert.equal(logout.response.status, 204);
    const after = await api.GET("/api/v1/me");
    assert.equal(after.response.status, 401);
    assert.equal(after.error!.error.code, "UNAUTHORIZED");
    assert.equal(after.response.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    const refresh = await stack.api().POST("/api/v1/auth/refresh", { headers: { cookie } });
    assert.equal(refresh.response.status, 401);
  },
);

dbTest(
  "[edge] refresh through the edge returns a working token with the user's current role",
  async (database) => {
    const stack = createTestStack(database);
    const user = await createTestUser(database);
    const login = await stack.api().POST("/api/v1/auth/login", {
      body: { email: user.email, password: user.password, refreshTokenInBody: true },
    });
    const refreshToken = login.data!.refreshToken;
    await database.db.update(users).set({ role: "ACADEMIC" }).where(eq(users.id, user.id));
    const res = await stack.api().POST("/api/v1/auth/refresh", { body: { refreshToken } });
    assert.equal(res.response.status, 200);
    const { accessToken } = res.data!;
    assert.equal(decodeJwt(accessToken).sub, user.id);
    assert.equal(decodeJwt(accessToken).role, "ACADEMIC");
    const me = await stack.api({ token: accessToken }).GET("/api/v1/me");
    assert.equal(me.response.status, 200);
    assert.equal(me.data!.role, "ACADEMIC");
  },
);

dbTest("[edge] a client's own assertion header never reaches core", async (database) => {
  const stack = createTestStack(database);
  const admin = await createTestUser(database, { role: "ADMIN" });
  // Even a correctly signed assertion (as if the secret leaked into a client) is dropped on a public route...
  const smuggled = await signAssertion(stack.coreServices.env.EDGE_ASSERTION_SECRET!, {
    identity: { userId: admin.id, role: "ADMIN", mfa: true },
    method: "GET",
    path: "/v1/me",
    query: "",
    bodySha256: await bodyDigest(),
    clientIp: "192.0.2.1",
  });
  const res = await stack.edge.request("/api/v1/me", { headers: { [ASSERTION_HEADER]: smuggled } });
  // ...and a protected route without a token is refused before forwarding.
  assert.equal(res.status, 401);
  let seen: string | null = "unset";
  const spy = createTestStack(database, {
    fetch: ((_input: RequestInfo | URL, init?: RequestInit) => {
      seen = new Headers(init?.headers).get(ASSERTION_HEADER);
      return Promise.resolve(Response.json({ service: "core", apiVersion: "v1" }));
    }) as typeof fetch,
  });
  await spy.edge.request("/api/v1/version", { headers: { [ASSERTION_HEADER]: smuggled } });
  // Core gets the edge's own assertion for this anonymous call: no identity in it.
  assert.ok(seen && seen !== smuggled);
  assert.equal(decodeJwt(seen).sub, undefined);
});

dbTest(
  "[edge] every response carries secure headers, and CORS answers only configured origins",
  async (database) => {
    const stack = createTestStack(database, { edgeEnv: { CORS_ORIGINS: "https://app.example.edu" } });
    for (
      const res of [
        await stack.edge.request("/healthz"),
        await stack.edge.request("/api/v1/me"),
        await stack.edge.request("/nowhere"),
      ]
    ) {
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
      assert.ok(res.headers.get("strict-transport-security"));
      assert.equal(res.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
      await res.body?.cancel();
    }
    const preflight = await stack.edge.request("/api/v1/auth/login", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.edu", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example.edu");
    assert.equal(preflight.headers.get("access-control-allow-credentials"), "true");
    const stranger = await stack.edge.request("/api/v1/version", {
      headers: { Origin: "https://evil.example" },
    });
    assert.equal(stranger.headers.get("access-control-allow-origin"), null);
    await stranger.body?.cancel();
  },
);

dbTest(
  "[edge] a signed-in call whose path and query need percent-encoding, with a body, reaches core's route (its assertion matches)",
  async (database) => {
    const stack = createTestStack(database);
    const user = await createTestUser(database);
    const auth = await stack.bearer(user);
    const search = await stack.edge.request("/api/v1/courses?q=caf%C3%A9%20au%20lait", { headers: auth });
    assert.equal(search.status, 200);
    await search.body?.cancel();
    const encoded = await stack.edge.request("/api/v1/courses/caf%C3%A9%20x", { headers: auth });
    assert.notEqual(encoded.status, 401, "the assertion matched the path core routed");
    await encoded.body?.cancel();
    const body = JSON.stringify({ displayName: "Zoë ✓" });
    const patch = await stack.edge.request("/api/v1/me", {
      method: "PATCH",
      headers: { ...auth, "content-type": "application/json" },
      body,
    });
    assert.equal(patch.status, 200);
    assert.equal((await patch.json()).displayName, "Zoë ✓");
  },
);
