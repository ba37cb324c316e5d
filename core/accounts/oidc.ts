/**
 * Institutional sign-in with OpenID Connect: discovery, authorization code with PKCE (S256), state and nonce, ID
 * token validation with jose (signature from the provider's JWKS, issuer, audience, expiry, nonce), account
 * linking by verified email, and role and faculty from configured claims. State lives in the shared KV for ten
 * minutes and is used once.
 */
import { and, eq, isNull } from "drizzle-orm";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { recordAudit } from "../../shared/audit/audit.ts";
import type { Db } from "../../shared/db/client.ts";
import { faculties, userProfiles } from "../../shared/db/schema/academics.ts";
import { userIdentities } from "../../shared/db/schema/accounts.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import { type AuthDeps, insertUser, tokenConfig, type UserRow } from "../auth/accounts.ts";
import { normaliseEmail } from "../auth/password.ts";
import { issueTokenPair, type TokenPair } from "../auth/tokens.ts";
import type { OidcProviderConfig } from "./env.ts";
import { applyPendingInvitations } from "./invitations.ts";
import { mailAccountEvent } from "./mail.ts";
import { revokeUserTokens } from "../auth/revocation.ts";
import { base64url, randomToken, sha256 } from "../../shared/crypto.ts";

const STATE_TTL_MS = 10 * 60_000;
const DISCOVERY_TTL_MS = 60 * 60_000;
const stateKey = (state: string) => `oidc:state:${state}`;

interface Discovered {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const discoveries = new Map<
  string,
  { at: number; meta: Discovered; jwks: ReturnType<typeof createRemoteJWKSet> }
>();

const unreachable = (provider: OidcProviderConfig, cause: unknown) =>
  new AppError(
    ErrorCode.UNAVAILABLE,
    `The sign-in provider "${provider.name}" cannot be reached; try again later`,
    {
      cause,
    },
  );

/** The provider's discovery document (cached an hour); its issuer must be the configured one (mix-up defence). */
export async function discover(provider: OidcProviderConfig, fetchFn: typeof fetch = fetch) {
  const cached = discoveries.get(provider.issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached;
  let meta: Discovered;
  try {
    const url = `${provider.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const res = await fetchFn(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`discovery answered ${res.status}`);
    meta = await res.json() as Discovered;
  } catch (err) {
    throw unreachable(provider, err);
  }
  if (meta.issuer !== provider.issuer) {
    throw new AppError(ErrorCode.BAD_GATEWAY, `The provider "${provider.name}" announces another issuer`);
  }
  const entry = {
    at: Date.now(),
    meta,
    jwks: createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: 5000 }),
  };
  discoveries.set(provider.issuer, entry);
  return entry;
}

function providerOf(deps: AuthDeps, id: string): OidcProviderConfig {
  const provider = deps.env.OIDC_PROVIDERS.find((p) => p.id === id);
  if (!provider) throw errors.notFound(`Sign-in provider "${id}"`);
  return provider;
}

function redirectUriOf(deps: AuthDeps): string {
  return deps.env.OIDC_REDIRECT_URI ?? `${deps.env.PUBLIC_WEB_URL}/auth/callback`;
}

async function s256(verifier: string): Promise<string> {
  return base64url(await sha256(verifier));
}

/** What a sign-in attempt remembers between the redirect and the callback. */
interface PendingSignIn {
  provider: string;
  nonce: string;
  verifier: string;
}

/** Starts a sign-in: the URL to send the browser to, with state, nonce and a PKCE challenge. */
export async function startOidcSignIn(
  deps: AuthDeps,
  providerId: string,
): Promise<{ authorizationUrl: string; state: string }> {
  const provider = providerOf(deps, providerId);
  const { meta } = await discover(provider);
  const pending: PendingSignIn = { provider: provider.id, nonce: randomToken(), verifier: randomToken() };
  const state = randomToken();
  await deps.kv.set(stateKey(state), JSON.stringify(pending), { ttlMs: STATE_TTL_MS });
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: provider.clientId,
    redirect_uri: redirectUriOf(deps),
    scope: provider.scopes,
    state,
    nonce: pending.nonce,
    code_challenge: await s256(pending.verifier),
    code_challenge_method: "S256",
  }).toString();
  return { authorizationUrl: url.toString(), state };
}

/** Verifies an ID token: signature by the provider's keys, issuer, audience = our client, not expired, nonce. */
export async function validateIdToken(
  idToken: string,
  expected: { issuer: string; clientId: string; nonce: string; jwks: ReturnType<typeof createRemoteJWKSet> },
): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expected.jwks, {
      issuer: expected.issuer,
      audience: expected.clientId,
      clockTolerance: 5,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (err) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The provider's ID token is not valid", { cause: err });
  }
  if (payload.nonce !== expected.nonce) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The provider's ID token is not valid (nonce)");
  }
  return payload;
}

/** The platform role the configured claim maps to (ACADEMIC wins over STUDENT), or undefined. */
export function mappedRole(
  provider: OidcProviderConfig,
  claims: JWTPayload,
): "ACADEMIC" | "STUDENT" | undefined {
  if (!provider.roleClaim) return undefined;
  const raw = claims[provider.roleClaim];
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string");
  const roles = values.map((v) => provider.roleMap[v]).filter(Boolean);
  return roles.includes("ACADEMIC") ? "ACADEMIC" : roles[0];
}

async function mappedFacultyId(db: Db, provider: OidcProviderConfig, claims: JWTPayload) {
  const raw = provider.facultyClaim ? claims[provider.facultyClaim] : undefined;
  if (typeof raw !== "string") return undefined;
  const code = provider.facultyMap[raw] ?? raw;
  const [row] = await db.select({ id: faculties.id }).from(faculties)
    .where(and(eq(faculties.code, code), isNull(faculties.deletedAt))).limit(1);
  return row?.id;
}

/** Exchanges the code (with the PKCE verifier) at the provider's token endpoint; returns the ID token. */
async function redeemCode(
  deps: AuthDeps,
  provider: OidcProviderConfig,
  meta: Discovered,
  code: string,
  verifier: string,
) {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUriOf(deps),
    code_verifier: verifier,
    client_id: provider.clientId,
  });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (provider.clientSecret) {
    const basic = `${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`;
    headers.authorization = `Basic ${btoa(basic)}`;
  }
  let res: Response;
  try {
    res = await fetch(meta.token_endpoint, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw unreachable(provider, err);
  }
  const answer = await res.json().catch(() => ({})) as { id_token?: string; error?: string };
  if (!res.ok || !answer.id_token) {
    throw new AppError(
      ErrorCode.UNAUTHORIZED,
      `The provider refused the sign-in (${answer.error ?? res.status})`,
    );
  }
  return answer.id_token;
}

/**
 * Finishes a sign-in from the provider's redirect: the state must be one this deployment issued (used once), the
 * code is redeemed with its PKCE verifier, the ID token validated. The account is the one linked to this provider
 * subject, else the live account with the same verified email (linked now; an unverified password sign-up loses its
 * password and sessions), else a new account with the mapped role and faculty.
 */
export async function finishOidcSignIn(
  deps: AuthDeps,
  input: { state: string; code: string },
): Promise<{ user: UserRow; tokens: TokenPair; linked: boolean; created: boolean }> {
  const stored = await deps.kv.get(stateKey(input.state));
  if (!stored) throw new AppError(ErrorCode.BAD_REQUEST, "This sign-in is unknown or expired; start again");
  await deps.kv.del(stateKey(input.state));
  const pending = JSON.parse(stored) as PendingSignIn;
  const provider = providerOf(deps, pending.provider);
  const { meta, jwks } = await discover(provider);
  const idToken = await redeemCode(deps, provider, meta, input.code, pending.verifier);
  const claims = await validateIdToken(idToken, {
    issuer: provider.issuer,
    clientId: provider.clientId,
    nonce: pending.nonce,
    jwks,
  });
  const sub = claims.sub!;
  const email = typeof claims.email === "string" ? normaliseEmail(claims.email) : undefined;
  const emailVerified = !!email && (claims.email_verified === true || provider.trustEmail);
  const db = deps.database.db;
  const outcome = await db.transaction(async (tx) => {
    const [identity] = await tx.select().from(userIdentities)
      .where(and(eq(userIdentities.provider, provider.id), eq(userIdentities.subject, sub))).limit(1);
    if (identity) {
      const [user] = await tx.select().from(users).where(
        and(eq(users.id, identity.userId), isNull(users.deletedAt)),
      );
      if (!user) throw new AppError(ErrorCode.UNAUTHORIZED, "This account no longer exists");
      return { user, linked: false, created: false };
    }
    if (!email) throw new AppError(ErrorCode.UNAUTHORIZED, "The provider did not send an email address");
    const [existing] = await tx.select().from(users).where(
      and(eq(users.email, email), isNull(users.deletedAt)),
    );
    if (existing) {
      if (!emailVerified) {
        throw new AppError(
          ErrorCode.CONFLICT,
          "The provider has not verified this email, so it cannot be linked",
        );
      }
      const squatted = !existing.emailVerified && existing.passwordHash !== null;
      const [user] = await tx.update(users)
        .set({ emailVerified: true, ...(squatted ? { passwordHash: null } : {}) })
        .where(eq(users.id, existing.id)).returning();
      if (squatted) await revokeUserTokens(deps, user.id, { reason: "oidc_linked", db: tx });
      await tx.insert(userIdentities).values({ userId: user.id, provider: provider.id, subject: sub, email });
      await mailAccountEvent(deps, tx, user, "sign_in_method_added", { method: provider.name });
      await recordAudit(tx, deps.logger, "core", {
        action: "auth.oidc_linked",
        userId: user.id,
        target: `user:${user.id}`,
        metadata: { provider: provider.id, passwordCleared: squatted },
      });
      return { user, linked: true, created: false };
    }
    const user = await insertUser(tx, {
      email,
      emailVerified,
      role: mappedRole(provider, claims) ?? "STUDENT",
      displayName: typeof claims.name === "string" ? claims.name.slice(0, 100) : null,
    });
    await tx.insert(userIdentities).values({ userId: user.id, provider: provider.id, subject: sub, email });
    const facultyId = await mappedFacultyId(tx, provider, claims);
    await tx.insert(userProfiles).values({
      userId: user.id,
      fullName: typeof claims.name === "string" ? claims.name.slice(0, 200) : "",
      facultyId: facultyId ?? null,
    });
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.register",
      userId: user.id,
      target: `user:${user.id}`,
      metadata: { method: `oidc:${provider.id}`, role: user.role, facultyId: facultyId ?? null },
    });
    if (emailVerified) await applyPendingInvitations(deps, tx, user);
    return { user, linked: false, created: true };
  });
  const tokens = await issueTokenPair(db, tokenConfig(deps), {
    userId: outcome.user.id,
    role: outcome.user.role,
    mfa: false,
  });
  await recordAudit(db, deps.logger, "core", {
    action: "auth.login",
    userId: outcome.user.id,
    target: `user:${outcome.user.id}`,
    metadata: { method: `oidc:${provider.id}` },
  });
  return { ...outcome, tokens };
}

/** The configured providers, as sign-in buttons show them. */
export function listOidcProviders(deps: AuthDeps): { id: string; name: string }[] {
  return deps.env.OIDC_PROVIDERS.map((p) => ({ id: p.id, name: p.name }));
}
