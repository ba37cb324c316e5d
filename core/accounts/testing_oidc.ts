/**
 * A real OpenID provider for tests: the certified `oidc-provider` package on a free local port, with one client, a
 * few accounts, and interactions finished in code (the named account logs in and consents), so tests drive the
 * whole authorization-code flow over HTTP as a browser would: redirects, cookies, PKCE, the token endpoint.
 */
import http from "node:http";
import Provider from "oidc-provider";

/** An account at the test provider: its claims. */
export type TestOidcAccount = Record<string, unknown> & { email?: string; email_verified?: boolean };

/** A running test provider. */
export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Plays the browser: follows `authorizationUrl` signed in as `accountId` until the redirect back; code and state. */
  authorize(authorizationUrl: string, accountId: string): Promise<{ code: string; state: string }>;
  close(): Promise<void>;
}

/** Starts the provider; `redirectUri` is the one registered for the client. */
export async function startTestOidcProvider(options: {
  redirectUri: string;
  accounts: Record<string, TestOidcAccount>;
}): Promise<TestOidcProvider> {
  const clientId = "ai-teacher-test";
  const clientSecret = `secret-${crypto.randomUUID()}`;
  let nextAccount = "";
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [options.redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    }],
    findAccount: (_ctx: unknown, id: string) =>
      options.accounts[id]
        ? { accountId: id, claims: () => ({ sub: id, ...options.accounts[id] }) }
        : undefined,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "roles", "faculty"] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["test-cookie-key-0123456789"] },
  });
  // deno-lint-ignore no-explicit-any
  const p = provider as any;
  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return callback(req, res);
    try {
      const details = await p.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        await p.interactionFinished(req, res, { login: { accountId: nextAccount } }, {
          mergeWithLastSubmission: false,
        });
        return;
      }
      const grant = new p.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return {
    issuer,
    clientId,
    clientSecret,
    async authorize(authorizationUrl, accountId) {
      nextAccount = accountId;
      const jar = new Map<string, string>();
      let url = authorizationUrl;
      for (let hop = 0; hop < 20; hop++) {
        const res = await fetch(url, {
          redirect: "manual",
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
        });
        for (const line of res.headers.getSetCookie()) {
          const [pair] = line.split(";");
          const i = pair.indexOf("=");
          jar.set(pair.slice(0, i), pair.slice(i + 1));
        }
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location) throw new Error(`The provider stopped at ${url} with ${res.status}`);
        url = new URL(location, url).toString();
        if (url.startsWith(options.redirectUri)) {
          const back = new URL(url);
          const code = back.searchParams.get("code");
          if (!code) throw new Error(`The provider answered ${back.search}`);
          return { code, state: back.searchParams.get("state")! };
        }
      }
      throw new Error("Too many redirects");
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
