/** The frame of every page: skip link, header with navigation, language switch and sign-out, then the page. */
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { signOut } from "../features/auth/mod.ts";
import { NotificationsLink } from "../features/notifications/mod.ts";
import type { User } from "../lib/api.ts";
import { type Language, useI18n } from "../lib/i18n.tsx";

/** Wraps a page in the app's header and main landmark. */
export function Layout(props: { user: User | null; children: ComponentChildren }) {
  const { t, language, setLanguage } = useI18n();
  const { route } = useLocation();
  const other: Language = language === "ar" ? "en" : "ar";
  return (
    <>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header class="top">
        <a href="/" class="brand">{t("app.name")}</a>
        {props.user && (
          <nav aria-label={t("nav.main")}>
            <ul>
              <li>
                <a href="/">{t("nav.courses")}</a>
              </li>
              <li>
                <NotificationsLink />
              </li>
              <li>
                <a href="/profile">{t("nav.profile")}</a>
              </li>
              {/* Staff and admin screens. */}
              {props.user.role !== "STUDENT" && (
                <li>
                  <a href="/insight">{t("nav.insight")}</a>
                </li>
              )}
              {props.user.role === "ADMIN" && (
                <>
                  <li>
                    <a href="/admin/users">{t("nav.users")}</a>
                  </li>
                  <li>
                    <a href="/admin/catalog">{t("nav.catalog")}</a>
                  </li>
                  <li>
                    <a href="/admin/audit">{t("nav.audit")}</a>
                  </li>
                  <li>
                    <a href="/admin/jobs">{t("nav.jobs")}</a>
                  </li>
                </>
              )}
            </ul>
          </nav>
        )}
        <div class="top-actions">
          <button type="button" class="quiet" lang={other} onClick={() => setLanguage(other)}>
            {t(`lang.${other}`)}
          </button>
          {props.user && (
            <button
              type="button"
              class="quiet"
              onClick={async () => {
                await signOut();
                route("/sign-in");
              }}
            >
              {t("nav.signOut")}
            </button>
          )}
        </div>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
