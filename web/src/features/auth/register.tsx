/** Registration: a student account with a name, email and password; signed in on success. */
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Field, Page } from "../../components/ui.tsx";
import { acceptTokens, api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

/** The registration page. */
export function RegisterPage() {
  const { t } = useI18n();
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [checkMail, setCheckMail] = useState(false);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const answer = unwrap(
        await api.POST("/api/v1/auth/register", {
          body: {
            displayName: String(form.get("name")),
            email: String(form.get("email")),
            password: String(form.get("password")),
          },
        }),
      );
      // Deployments that require a verified address answer without tokens: the link is in the mail.
      if ("verificationRequired" in answer) {
        setCheckMail(true);
        return;
      }
      acceptTokens(answer);
      route("/", true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  if (checkMail) {
    return (
      <Page title={t("auth.registerTitle")}>
        <p class="notice" role="status">{t("auth.checkMail")}</p>
      </Page>
    );
  }

  return (
    <Page title={t("auth.registerTitle")}>
      <form class="stack" onSubmit={submit} aria-busy={busy}>
        <Field label={t("auth.displayName")} name="name" autocomplete="name" required dir="auto" />
        <Field label={t("auth.email")} name="email" type="email" autocomplete="email" required dir="ltr" />
        <Field
          label={t("auth.password")}
          hint={t("auth.passwordHint")}
          name="password"
          type="password"
          autocomplete="new-password"
          minLength={10}
          required
        />
        {error && <p class="notice error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("auth.working") : t("auth.register")}
        </button>
      </form>
      <p>
        {t("auth.haveAccount")} <a href="/sign-in">{t("auth.signIn")}</a>
      </p>
    </Page>
  );
}
