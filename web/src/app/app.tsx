/** The app: providers (language, server state, router) and the route table. */
import { QueryClientProvider } from "@tanstack/preact-query";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { useEffect } from "preact/hooks";
import { Loading, Page } from "../components/ui.tsx";
import { RegisterPage, SignInPage, useSession } from "../features/auth/mod.ts";
import { MyCoursesPage } from "../features/courses/mod.ts";
import { NotificationsPage } from "../features/notifications/mod.ts";
import { ProfilePage } from "../features/profile/mod.ts";
import { InsightIndexPage, InsightPage } from "../features/insight/mod.ts";
import { AdminCatalogPage, AdminUsersPage } from "../features/admin/mod.ts";
import { I18nProvider, useI18n } from "../lib/i18n.tsx";
import { createQueryClient } from "../lib/query.ts";
import { Layout } from "./layout.tsx";
import { CoursePage } from "./routes/course.tsx";

const queryClient = createQueryClient();
const PUBLIC = new Set(["/sign-in", "/register"]);

/** The root component. */
export function App() {
  return (
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <LocationProvider>
          <Routes />
        </LocationProvider>
      </QueryClientProvider>
    </I18nProvider>
  );
}

function Routes() {
  const { user, checking } = useSession();
  const { path, route } = useLocation();
  const isPublic = PUBLIC.has(path);
  useEffect(() => {
    if (checking) return;
    if (!user && !isPublic) route(`/sign-in?next=${encodeURIComponent(path)}`, true);
    if (user && isPublic) route("/", true);
    if (!user) queryClient.clear();
  }, [user, checking, isPublic, path]);
  // Each new page moves focus to its heading, so keyboard and screen-reader users start at the page's top.
  useEffect(() => {
    document.getElementById("page-title")?.focus();
  }, [path]);

  if (checking) return <Loading />;
  return (
    <Layout user={user}>
      <Router>
        <Route path="/sign-in" component={SignInPage} />
        <Route path="/register" component={RegisterPage} />
        <Route path="/" component={MyCoursesPage} />
        <Route path="/courses/:id" component={CoursePage} />
        <Route path="/courses/:id/:tab" component={CoursePage} />
        <Route path="/profile" component={ProfilePage} />
        <Route path="/notifications" component={NotificationsPage} />
        {/* Course insight (staff) and the admin console. */}
        <Route path="/insight" component={InsightIndexPage} />
        <Route path="/insight/:id" component={InsightPage} />
        <Route path="/admin/users" component={AdminUsersPage} />
        <Route path="/admin/catalog" component={AdminCatalogPage} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <Page title={t("app.notFound")}>
      <a href="/">{t("app.home")}</a>
    </Page>
  );
}
