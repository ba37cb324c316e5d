import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { createRemoteJWKSet, decodeJwt } from "jose";
import { faculties, userProfiles } from "../../shared/db/schema/academics.ts";
import { mailMessages, userIdentities } from "../../shared/db/schema/accounts.ts";
import { users } from "../../shared/db/schema/users.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createTestStack } from "../../testing/stack.ts";
import { createTestUser } from "../auth/testing.ts";
import { startTestOidcProvider, type TestOidcProvider } from "../accounts/testing_oidc.ts";
import { validateIdToken } from "../accounts/oidc.ts";

const REDIRECT = "http://app.test/auth/callback";
const json = { "content-type": "application/json" };

function providersEnv(op: TestOidcProvider, extra: Record<string, unknown> = {}) {
  return {
    OIDC_REDIRECT_URI: REDIRECT,
    OIDC_PROVIDERS: JSON.stringify([{
      id: "uni",
      name: "University SSO",
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      roleClaim: "roles",
      roleMap: { staff: "ACADEMIC", student: "STUDENT" },
      facultyClaim: "faculty",
      ...extra,
    }]),
  };
}

async function withProvider(
  accounts: Record<string, Record<string, unknown>>,
  fn: (op: TestOidcProvider) => Promise<void>,
) {
  const op = await startTestOidcProvider({ redirectUri: REDIRECT, accounts });
  try {
    await fn(op);
  } finally {
    await op.close();
  }
}

async function signIn(stack: ReturnType<typeof createTestStack>, op: TestOidcProvider, account: string) {
  const start = await stack.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" });
  assert.equal(start.status, 200);
  const { authorizationUrl, state } = await start.json();
  const back = await op.authorize(authorizationUrl, account);
  assert.equal(back.state, state);
  return await stack.edge.request("/api/v1/auth/oidc/callback", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ state: back.state, code: back.code }),
  });
}

dbTest(
  "[edge] OIDC sign-in creates an account with the role and faculty from the claims, then finds it again",
  async (database) => {
    const code = `F${crypto.randomUUID().slice(0, 6)}`;
    const [faculty] = await database.db.insert(faculties).values({ name: "Engineering", code }).returning();
    const email = `prof-${crypto.randomUUID()}@uni.test`;
    await withProvider({
      prof: { email, email_verified: true, name: "Prof Ada", roles: ["staff"], faculty: code },
    }, async (op) => {
      const stack = createTestStack(database, { coreEnv: providersEnv(op) });
      const list = await stack.edge.request("/api/v1/auth/oidc/providers");
      assert.deepEqual((await list.json()).items, [{ id: "uni", name: "University SSO" }]);
      const res = await signIn(stack, op, "prof");
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.user.email, email);
      assert.equal(body.user.role, "ACADEMIC");
      assert.equal(decodeJwt(body.accessToken).role, "ACADEMIC");
      const [profile] = await database.db.select().from(userProfiles).where(
        eq(userProfiles.userId, body.user.id),
      );
      assert.equal(profile.facultyId, faculty.id);
      const me = await stack.edge.request("/api/v1/me", {
        headers: { Authorization: `Bearer ${body.accessToken}` },
      });
      assert.equal(me.status, 200);
      const again = await signIn(stack, op, "prof");
      assert.equal(again.status, 200);
      assert.equal((await again.json()).user.id, body.user.id);
      const ids = await database.db.select().from(userIdentities).where(
        eq(userIdentities.userId, body.user.id),
      );
      assert.equal(ids.length, 1);
    });
  },
);

dbTest(
  "[edge] OIDC links an existing account by verified email, clears a squatted password and mails the owner",
  async (database) => {
    const squatted = await createTestUser(database);
    await withProvider(
      { owner: { email: squatted.email, email_verified: true, roles: ["student"] } },
      async (op) => {
        const stack = createTestStack(database, { coreEnv: providersEnv(op) });
        const res = await signIn(stack, op, "owner");
        assert.equal(res.status, 200);
        assert.equal((await res.json()).user.id, squatted.id);
        const [row] = await database.db.select().from(users).where(eq(users.id, squatted.id));
        assert.equal(row.passwordHash, null);
        assert.equal(row.emailVerified, true);
        const mails = await database.db.select().from(mailMessages)
          .where(
            and(eq(mailMessages.userId, squatted.id), eq(mailMessages.template, "sign_in_method_added")),
          );
        assert.equal(mails.length, 1);
      },
    );
  },
);

dbTest(
  "[edge] OIDC refuses an unverified email for an existing account, an unknown state and a reused state",
  async (database) => {
    const existing = await createTestUser(database);
    await withProvider({
      unverified: { email: existing.email, email_verified: false },
      fresh: { email: `fresh-${crypto.randomUUID()}@uni.test`, email_verified: true },
    }, async (op) => {
      const stack = createTestStack(database, { coreEnv: providersEnv(op) });
      assert.equal((await signIn(stack, op, "unverified")).status, 409);
      const unknown = await stack.edge.request("/api/v1/auth/oidc/callback", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ state: "x".repeat(43), code: "whatever" }),
      });
      assert.equal(unknown.status, 400);
      const start = await (await stack.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" }))
        .json();
      const back = await op.authorize(start.authorizationUrl, "fresh");
      const call = () =>
        stack.edge.request("/api/v1/auth/oidc/callback", {
          method: "POST",
          headers: json,
          body: JSON.stringify(back),
        });
      assert.equal((await call()).status, 200);
      assert.equal((await call()).status, 400, "a state works once");
    });
  },
);

dbTest("[edge] OIDC refuses an ID token whose nonce is not the one this sign-in sent", async (database) => {
  await withProvider(
    { a: { email: `n-${crypto.randomUUID()}@uni.test`, email_verified: true } },
    async (op) => {
      const stack = createTestStack(database, { coreEnv: providersEnv(op) });
      const start = await (await stack.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" }))
        .json();
      const back = await op.authorize(start.authorizationUrl, "a");
      const key = `oidc:state:${back.state}`;
      const pending = JSON.parse((await stack.kv.get(key))!);
      await stack.kv.set(key, JSON.stringify({ ...pending, nonce: "someone-elses-nonce" }));
      const res = await stack.edge.request("/api/v1/auth/oidc/callback", {
        method: "POST",
        headers: json,
        body: JSON.stringify(back),
      });
      assert.equal(res.status, 401);
    },
  );
});

dbTest(
  "validateIdToken() refuses a real ID token for another audience or issuer, or with another nonce",
  async (database) => {
    await withProvider(
      { a: { email: `v-${crypto.randomUUID()}@uni.test`, email_verified: true } },
      async (op) => {
        const stack = createTestStack(database, { coreEnv: providersEnv(op) });
        const start = await (await stack.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" }))
          .json();
        const back = await op.authorize(start.authorizationUrl, "a");
        const pending = JSON.parse((await stack.kv.get(`oidc:state:${back.state}`))!);
        // Redeem the code as the client would, to hold the provider's real ID token.
        const tokenRes = await fetch(`${op.issuer}/token`, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `Basic ${btoa(`${op.clientId}:${op.clientSecret}`)}`,
          },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code: back.code,
            redirect_uri: REDIRECT,
            code_verifier: pending.verifier,
          }),
        });
        const { id_token: idToken } = await tokenRes.json();
        const jwks = createRemoteJWKSet(new URL(`${op.issuer}/jwks`));
        const expected = { issuer: op.issuer, clientId: op.clientId, nonce: pending.nonce, jwks };
        assert.equal((await validateIdToken(idToken, expected)).email_verified, true);
        await assert.rejects(
          validateIdToken(idToken, { ...expected, clientId: "another-client" }),
          /not valid/,
        );
        await assert.rejects(
          validateIdToken(idToken, { ...expected, issuer: "https://evil.test" }),
          /not valid/,
        );
        await assert.rejects(validateIdToken(idToken, { ...expected, nonce: "other" }), /nonce/);
        const [h, p] = idToken.split(".");
        await assert.rejects(validateIdToken(`${h}.${p}.AAAA`, expected), /not valid/);
      },
    );
  },
);

dbTest(
  "[edge] OIDC answers 503 when the provider is down and 502 when it announces another issuer",
  async (database) => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const down = createTestStack(database, {
      coreEnv: {
        OIDC_PROVIDERS: JSON.stringify([{
          id: "uni",
          name: "Down",
          issuer: `http://127.0.0.1:${port}`,
          clientId: "c",
        }]),
      },
    });
    const res = await down.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" });
    assert.equal(res.status, 503);
    await withProvider({}, async (op) => {
      const stack = createTestStack(database, { coreEnv: providersEnv(op, { issuer: `${op.issuer}/` }) });
      const mixUp = await stack.edge.request("/api/v1/auth/oidc/uni/start", { method: "POST" });
      assert.equal(mixUp.status, 502);
      assert.equal(
        (await stack.edge.request("/api/v1/auth/oidc/nope/start", { method: "POST" })).status,
        404,
      );
    });
  },
);
