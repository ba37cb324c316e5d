/**
 * Google sign-in against a local JWKS server (port 0) that stands in for https://www.googleapis.com/oauth2/v3/certs:
 * it serves the same JSON Web Key Set shape, and the ID tokens are RS256 JWTs with Google's claims, signed with this
 * test's own key.
 */
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { dbTest } from "../../shared/db/testing.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";
import { callerHeaders, createTestUser, testCoreServices } from "../auth/testing.ts";

const CLIENT_ID = "test-client.apps.googleusercontent.com";
const { privateKey, publicKey } = await generateKeyPair("RS256");
const KID = "google-test-key";
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: "RS256", use: "sig" }] };

async function withGoogle(fn: (jwksUrl: string) => Promise<void>) {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json(jwks),
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/oauth2/v3/certs`);
  } finally {
    await server.shutdown();
  }
}

function idToken(claims: Record<string, unknown>, options: { aud?: string; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email_verified: true, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: KID, typ: "JWT" })
    .setIssuer("https://accounts.google.com")
    .setAudience(options.aud ?? CLIENT_ID)
    .setSubject(String(claims.sub ?? crypto.randomUUID()))
    .setIssuedAt(now - 60)
    .setExpirationTime(options.exp ?? now + 3600)
    .sign(privateKey);
}

function signIn(app: ReturnType<typeof createCheckedCoreApp>, token: string) {
  return app.request("/v1/auth/google", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ idToken: token }),
  });
}

dbTest(
  "[core] POST /v1/auth/google creates a student from a valid ID token, then signs the same account in",
  async (database) => {
    await withGoogle(async (jwksUrl) => {
      const app = createCheckedCoreApp(
        testCoreServices(database, { env: { GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl } }),
      );
      const sub = `g-${crypto.randomUUID()}`;
      const email = `Student-${crypto.randomUUID()}@Gmail.com`;
      const res = await signIn(app, await idToken({ sub, email, name: "Stu Dent" }));
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.user.email, email.toLowerCase());
      assert.equal(body.user.role, "STUDENT");
      assert.equal(body.user.emailVerified, true);
      assert.equal(body.user.displayName, "Stu Dent");
      const again = await signIn(app, await idToken({ sub, email }));
      assert.equal((await again.json()).user.id, body.user.id);
    });
  },
);

dbTest(
  "[core] POST /v1/auth/google links to the account with the same email and drops a password nobody verified",
  async (database) => {
    await withGoogle(async (jwksUrl) => {
      const app = createCheckedCoreApp(
        testCoreServices(database, { env: { GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl } }),
      );
      const user = await createTestUser(database, { role: "ACADEMIC" });
      const res = await signIn(app, await idToken({ email: user.email.toUpperCase() }));
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.user.id, user.id);
      assert.equal(body.user.role, "ACADEMIC");
      // The account's email was never verified, so the password set by whoever registered it stops working.
      const login = await app.request("/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      assert.equal(login.status, 401);
    });
  },
);

dbTest(
  "[core] POST /v1/auth/google refuses a wrong audience, an unverified email, an expired token and junk",
  async (database) => {
    await withGoogle(async (jwksUrl) => {
      const app = createCheckedCoreApp(
        testCoreServices(database, { env: { GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl } }),
      );
      const email = `g-${crypto.randomUUID()}@gmail.com`;
      const wrongAud = await signIn(
        app,
        await idToken({ email }, { aud: "someone-else.apps.googleusercontent.com" }),
      );
      assert.equal(wrongAud.status, 401);
      const unverified = await signIn(app, await idToken({ email, email_verified: false }));
      assert.equal(unverified.status, 401);
      assert.match((await unverified.json()).error.message, /not verified/);
      const expired = await signIn(
        app,
        await idToken({ email }, { exp: Math.floor(Date.now() / 1000) - 600 }),
      );
      assert.equal(expired.status, 401);
      const { privateKey: otherKey } = await generateKeyPair("RS256");
      const forged = await new SignJWT({ email, email_verified: true }).setProtectedHeader({
        alg: "RS256",
        kid: KID,
      })
        .setIssuer("accounts.google.com").setAudience(CLIENT_ID).setSubject("x").setExpirationTime("1h")
        .sign(otherKey);
      assert.equal((await signIn(app, forged)).status, 401);
      assert.equal((await signIn(app, "x".repeat(5))).status, 400);
    });
  },
);

dbTest("[core] POST /v1/auth/google answers 503 when no client id is configured", async (database) => {
  const app = createCheckedCoreApp(testCoreServices(database));
  assert.equal((await signIn(app, await idToken({ email: "a@b.c" }))).status, 503);
});

dbTest(
  "[core] an account made by Google sign-in cannot set a password through POST /v1/auth/password",
  async (database) => {
    await withGoogle(async (jwksUrl) => {
      const services = testCoreServices(database, {
        env: { GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_JWKS_URL: jwksUrl },
      });
      const app = createCheckedCoreApp(services);
      const res = await signIn(app, await idToken({ email: `g-${crypto.randomUUID()}@gmail.com` }));
      const { user } = await res.json();
      const change = await app.request("/v1/auth/password", {
        method: "POST",
        headers: {
          ...(await callerHeaders(services, user, "POST", "/v1/auth/password")),
          "content-type": "application/json",
        },
        body: JSON.stringify({ newPassword: "a planted passphrase" }),
      });
      assert.equal(change.status, 409);
    });
  },
);
