/** The app: providers (language, server state, router) and the route table. */
import { QueryClientProvider } from "@tanstack/preact-query";
import { lazy, LocationProvider, Route, Router, useLocation } from "preact-iso";
import { useEffect, useRef } from "preact/hooks";
import { Loading, Page } from "../components/ui.tsx";
import {
  GOOGLE_RETURN_PATH,
  GoogleReturnPage,
  OIDC_RETURN_PATH,
  OidcReturnPage,
  RegisterPage,
  SignInPage,
  useSession,
} from "../features/auth/mod.ts";
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
// Exams load on demand, so the chat page's JavaScript does not carry them.
const ExamPage = lazy(() => import("../features/exams/mod.ts").then((m) => m.ExamPage));
// Exam authoring and grading (course staff), likewise on demand.
const AuthoringPage = lazy(() => import("../features/authoring/mod.ts").then((m) => m.AuthoringPage));
// The audit log, jobs and health, roster import and tutor policy (admins and staff), likewise on demand.
const AdminAuditPage = lazy(() => import("../features/admin/audit_page.tsx").then((m) => m.AdminAuditPage));
const AdminJobsPage = lazy(() => import("../features/admin/jobs_page.tsx").then((m) => m.AdminJobsPage));
const RosterImportPage = lazy(() =>
  import("../features/admin/roster_page.tsx").then((m) => m.RosterImportPage)
);
const TutorPolicyPage = lazy(() => import("../features/tutor_policy/mod.ts").then((m) => m.TutorPolicyPage));
const PUBLIC = new Set(["/sign-in", "/register", GOOGLE_RETURN_PATH, OIDC_RETURN_PATH]);

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
  }, [user, checking, isPublic, path]);
  // Signing out drops everything cached for the user who left. Only then: clearing on every signed-out render
  // would also cancel what a public page is loading (the sign-in page's list of providers).
  const signedIn = useRef(user !== null);
  useEffect(() => {
    if (signedIn.current && !user) queryClient.clear();
    signedIn.current = user !== null;
  }, [user]);
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
        <Route path={GOOGLE_RETURN_PATH} component={GoogleReturnPage} />
        <Route path={OIDC_RETURN_PATH} component={OidcReturnPage} />
        <Route path="/" component={MyCoursesPage} />
        <Route path="/courses/:id" component={CoursePage} />
        <Route path="/courses/:id/:tab" component={CoursePage} />
        <Route path="/courses/:id/exams/:examId" component={ExamPage} />
        <Route path="/courses/:id/authoring/:examId" component={AuthoringPage} />
        <Route path="/profile" component={ProfilePage} />
        <Route path="/notifications" component={NotificationsPage} />
        {/* Course insight (staff) and the admin console. */}
        <Route path="/insight" component={InsightIndexPage} />
        <Route path="/insight/:id" component={InsightPage} />
        <Route path="/admin/users" component={AdminUsersPage} />
        <Route path="/admin/catalog" component={AdminCatalogPage} />
        <Route path="/admin/audit" component={AdminAuditPage} />
        <Route path="/admin/jobs" component={AdminJobsPage} />
        <Route path="/tutor-policy/:id" component={TutorPolicyPage} />
        <Route path="/roster/:id" component={RosterImportPage} />
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
