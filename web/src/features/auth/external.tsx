/**
 * External sign-in: the buttons (only for what this deployment configured, as `GET /auth/providers` says) and the
 * pages the providers send the browser back to. Google answers with an ID token in the URL fragment (no Google
 * script is loaded); an institutional (OIDC) provider answers with a code that core exchanges.
 */
import { useQuery } from "@tanstack/preact-query";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { acceptTokens, api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

const GOOGLE_AUTHORIZE = "https://accounts.google.com/o/oauth2/v2/auth";
/** Where the app returns after an external sign-in: kept across the provider's redirect. */
const NEXT_KEY = "signin.next";
const GOOGLE_STATE_KEY = "signin.google.state";

/** The path Google sends the browser back to (register it as an authorised redirect URI). */
export const GOOGLE_RETURN_PATH = "/auth/google";
/** The path OIDC providers send the browser back to (core's default `OIDC_REDIRECT_URI`). */
export const OIDC_RETURN_PATH = "/auth/callback";

function randomToken(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** The configured external sign-in buttons; nothing at all when none is configured. */
export function ExternalSignIn(props: { next: string }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const providers = useQuery({
    queryKey: ["auth", "providers"],
    queryFn: async () => unwrap(await api.GET("/api/v1/auth/providers")),
    staleTime: Infinity,
  });
  const google = providers.data?.google;
  const oidc = providers.data?.oidc ?? [];
  if (!google && oidc.length === 0) return null;

  function startGoogle(clientId: string) {
    const state = randomToken();
    sessionStorage.setItem(NEXT_KEY, props.next);
    sessionStorage.setItem(GOOGLE_STATE_KEY, state);
    const url = new URL(GOOGLE_AUTHORIZE);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: location.origin + GOOGLE_RETURN_PATH,
      response_type: "id_token",
      scope: "openid email profile",
      nonce: randomToken(),
      state,
    }).toString();
    location.assign(url.toString());
  }

  async function startOidc(id: string) {
    setError(null);
    try {
      const { authorizationUrl } = unwrap(
        await api.POST("/api/v1/auth/oidc/{provider}/start", { params: { path: { provider: id } } }),
      );
      sessionStorage.setItem(NEXT_KEY, props.next);
      location.assign(authorizationUrl);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section class="stack external-sign-in" aria-label={t("signin.external")}>
      <p class="muted">{t("signin.or")}</p>
      {google && (
        <button type="button" onClick={() => startGoogle(google.clientId)}>{t("signin.google")}</button>
      )}
      {oidc.map((p) => (
        <button key={p.id} type="button" onClick={() => startOidc(p.id)}>
          {t("signin.oidc", { name: p.name })}
        </button>
      ))}
      <ErrorNotice error={error} />
    </section>
  );
}

/** Finishes a sign-in with `exchange` once, then goes where the user was headed. */
function useFinishSignIn(exchange: () => Promise<Parameters<typeof acceptTokens>[0]>) {
  const { route } = useLocation();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    exchange().then((tokens) => {
      acceptTokens(tokens);
      const next = sessionStorage.getItem(NEXT_KEY) ?? "/";
      sessionStorage.removeItem(NEXT_KEY);
      route(next.startsWith("/") && !next.startsWith("//") ? next : "/", true);
    }, setError);
  }, []);
  return error;
}

/** Google's return: the ID token from the fragment (its state checked) goes to `POST /auth/google`. */
export function GoogleReturnPage() {
  const { t } = useI18n();
  const error = useFinishSignIn(async () => {
    const params = new URLSearchParams(location.hash.slice(1));
    const expected = sessionStorage.getItem(GOOGLE_STATE_KEY);
    sessionStorage.removeItem(GOOGLE_STATE_KEY);
    history.replaceState(null, "", location.pathname);
    const idToken = params.get("id_token");
    if (!idToken || !expected || params.get("state") !== expected) throw new Error(t("signin.returnInvalid"));
    return unwrap(await api.POST("/api/v1/auth/google", { body: { idToken } }));
  });
  return <ReturnPage error={error} />;
}

/** An institutional provider's return: code and state go to `POST /auth/oidc/callback`. */
export function OidcReturnPage() {
  const { t } = useI18n();
  const error = useFinishSignIn(async () => {
    const params = new URLSearchParams(location.search);
    const state = params.get("state");
    const code = params.get("code");
    if (!state || !code) throw new Error(params.get("error_description") ?? t("signin.returnInvalid"));
    return unwrap(await api.POST("/api/v1/auth/oidc/callback", { body: { state, code } }));
  });
  return <ReturnPage error={error} />;
}

function ReturnPage(props: { error: unknown }) {
  const { t } = useI18n();
  return (
    <Page title={t("signin.finishing")}>
      {props.error ? <ErrorNotice error={props.error} /> : <Loading />}
      {props.error && (
        <p>
          <a href="/sign-in">{t("auth.signIn")}</a>
        </p>
      )}
    </Page>
  );
}
