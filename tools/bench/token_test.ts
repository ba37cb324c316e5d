/** The benchmarks' access token passes the edge's own verifier against a JWKS published under `BENCH_KID`. */
import assert from "node:assert/strict";
import { exportJWK, generateKeyPair } from "jose";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../../shared/access_token.ts";
import { createAccessTokenVerifier } from "../../edge/auth/verify.ts";
import { BENCH_KID, signBenchToken } from "./token.ts";

Deno.test("signBenchToken() signs a token the edge accepts as a fresh user with the given claims", async () => {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: BENCH_KID, alg: "EdDSA", use: "sig" }] };
  const verify = createAccessTokenVerifier({
    jwksUrl: "http://core.bench/.well-known/jwks.json",
    fetch: () => Promise.resolve(Response.json(jwks)),
    issuer: ACCESS_TOKEN_ISSUER,
    audience: ACCESS_TOKEN_AUDIENCE,
    revocations: { isRevoked: () => Promise.resolve(false) },
    cacheSeconds: 60,
  });
  const a = await verify(await signBenchToken(privateKey, { role: "STUDENT", mfa: false }));
  const b = await verify(await signBenchToken(privateKey, { role: "ACADEMIC", mfa: true }));
  assert.equal(a.role, "STUDENT");
  assert.equal(a.mfa, false);
  assert.equal(b.role, "ACADEMIC");
  assert.equal(b.mfa, true);
  assert.notEqual(a.userId, b.userId);
});
