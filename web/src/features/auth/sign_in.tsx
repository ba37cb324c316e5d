/** Sign-in: email and password, then a TOTP step when the account has two-factor sign-in. */
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Field, Page } from "../../components/ui.tsx";
import { acceptTokens, api, ApiError, expired, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { ExternalSignIn } from "./external.tsx";

/** The sign-in page. */
export function SignInPage() {
  const { t, setLanguage } = useI18n();
  const { route } = useLocation();
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = new URLSearchParams(location.search).get("next") ?? "/";

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const tokens = unwrap(
        await api.POST("/api/v1/auth/login", {
          body: {
            email: String(form.get("email")),
            password: String(form.get("password")),
            totpCode: needsCode ? String(form.get("totp")) : undefined,
          },
        }),
      );
      acceptTokens(tokens);
      // The profile's language follows the user to a new browser (reloads keep the one chosen here).
      const profile = await api.GET("/api/v1/me/profile").catch(() => null);
      const preferred = profile?.data?.preferredLanguage;
      if (preferred === "en" || preferred === "ar") setLanguage(preferred);
      route(next, true);
    } catch (err) {
      const details = err instanceof ApiError ? err.body.details as { mfaRequired?: boolean } : undefined;
      if (details?.mfaRequired && !needsCode) setNeedsCode(true);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t(needsCode ? "auth.totpTitle" : "auth.signInTitle")}>
      {expired && <p class="notice" role="status">{t("auth.expired")}</p>}
      <form class="stack" onSubmit={submit} aria-busy={busy}>
        <Field label={t("auth.email")} name="email" type="email" autocomplete="username" required dir="ltr" />
        <Field
          label={t("auth.password")}
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        {needsCode && (
          <>
            <p>{t("auth.totpHelp")}</p>
            <Field
              label={t("auth.totp")}
              name="totp"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              required
              autoFocus
              dir="ltr"
            />
          </>
        )}
        {error && <p class="notice error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("auth.working") : t("auth.signIn")}
        </button>
      </form>
      {!needsCode && <ExternalSignIn next={next} />}
      <p>
        {t("auth.noAccount")} <a href="/register">{t("auth.register")}</a>
      </p>
    </Page>
  );
}
