/** The profile: full name, preferred language (which also switches the UI language), two-factor sign-in. */
import { useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ErrorNotice, Field, Loading, Page } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { type Language, useI18n } from "../../lib/i18n.tsx";
import { TwoFactorSection } from "./two_factor.tsx";

/** The profile page. */
export function ProfilePage() {
  const { t, setLanguage } = useI18n();
  const queryClient = useQueryClient();
  const profile = useQuery({
    queryKey: ["me", "profile"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/profile")),
  });
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const preferredLanguage = String(form.get("language")) as Language;
    setSaved(false);
    setError(null);
    try {
      const next = unwrap(
        await api.PATCH("/api/v1/me/profile", {
          body: { fullName: String(form.get("name")), preferredLanguage },
        }),
      );
      queryClient.setQueryData(["me", "profile"], next);
      setLanguage(preferredLanguage);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <Page title={t("profile.title")}>
      {profile.isPending && <Loading />}
      <ErrorNotice error={profile.error ?? error} />
      {profile.data && (
        <form class="stack" onSubmit={save}>
          <Field
            label={t("profile.name")}
            name="name"
            defaultValue={profile.data.fullName}
            dir="auto"
            maxLength={200}
          />
          <fieldset>
            <legend>{t("profile.language")}</legend>
            {(["en", "ar"] as const).map((lang) => (
              <label key={lang} class="radio">
                <input
                  type="radio"
                  name="language"
                  value={lang}
                  defaultChecked={profile.data.preferredLanguage === lang}
                />
                <span lang={lang}>{t(`lang.${lang}`)}</span>
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">{t("profile.save")}</button>
          {saved && <p role="status">{t("profile.saved")}</p>}
        </form>
      )}
      <TwoFactorSection />
    </Page>
  );
}
