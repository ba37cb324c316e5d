import { createServiceApp } from "../shared/http/service_app.ts";
import type { CoreApp, CoreServices, CoreVariables } from "./services.ts";
import { verifyEdgeAssertion } from "./auth/caller.ts";
import { registerJobRoutes } from "./routes/jobs.ts";
import { registerNotificationRoutes } from "./routes/notifications.ts";
import { registerSystemRoutes } from "./routes/system.ts";
import { registerAuthRoutes } from "./routes/auth.ts";
import { registerAccountMailRoutes } from "./routes/account_mail.ts";
import { registerNotificationPreferenceRoutes } from "./routes/notification_preferences.ts";
import { registerDataRightsRoutes } from "./routes/data_rights.ts";
import { registerOidcRoutes } from "./routes/oidc.ts";
import { registerJwksRoutes } from "./routes/jwks.ts";
import { registerMeRoutes } from "./routes/me.ts";
import { registerMfaRoutes } from "./routes/mfa.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { registerFacultyRoutes } from "./routes/faculties.ts";
import { registerSemesterRoutes } from "./routes/semesters.ts";
import { registerCourseRoutes } from "./routes/courses.ts";
import { registerEnrollmentRoutes } from "./routes/enrollments.ts";
import { registerProfileRoutes } from "./routes/profile.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
// Tutor chat
import { registerChatRoutes } from "./routes/chat.ts";
import { registerTutorPolicyRoutes } from "./routes/tutor_policy.ts";
import { registerUsageRoutes } from "./routes/usage.ts";
import { registerInsightRoutes } from "./routes/insight.ts";
// Documents and retrieval
import { registerDocumentRoutes } from "./routes/documents.ts";
import { registerSearchRoutes } from "./routes/search.ts";
import { isUploadPath } from "./routes/uploads.ts";
// exams
import { registerExamRoutes } from "./routes/exams.ts";
import { registerExamItemRoutes } from "./routes/exam_items.ts";
import { registerExamItemToolRoutes } from "./routes/exam_item_tools.ts";
import { registerAttemptRoutes } from "./routes/attempts.ts";
import { registerMyAttemptRoutes } from "./routes/my_attempts.ts";
import { registerExamResultRoutes } from "./routes/exam_results.ts";
import { registerGoldenRoutes } from "./routes/golden.ts";

export type { CoreApp };

/** Builds the core app from its services; no I/O happens here. */
export function createCoreApp(services: CoreServices): CoreApp {
  const app = createServiceApp<CoreVariables>({
    service: "core",
    logger: services.logger,
    metrics: services.metrics,
    trustRequestId: services.env.TRUST_REQUEST_ID,
    bodyLimitBytes: services.env.BODY_LIMIT_BYTES,
    // Signed uploads stream to storage and enforce their own signed size.
    bodyLimitExempt: isUploadPath,
    // Everything core receives may reach Postgres: NUL and lone surrogates are refused up front (400).
    rejectUnstorableText: true,
    readiness: { database: () => services.database.ping() },
  });
  app.use("*", async (c, next) => {
    c.set("services", services);
    await next();
  });
  // Identity and client address come from the edge's assertion, checked once here for every route.
  app.use("*", verifyEdgeAssertion());

  // Routes, grouped by resource.
  registerSystemRoutes(app);
  registerJwksRoutes(app);
  registerAuthRoutes(app);
  registerAccountMailRoutes(app);
  registerOidcRoutes(app);
  registerMfaRoutes(app);
  registerMeRoutes(app);
  registerUserRoutes(app);
  registerFacultyRoutes(app);
  registerSemesterRoutes(app);
  registerCourseRoutes(app);
  registerEnrollmentRoutes(app);
  registerProfileRoutes(app);
  registerAuditRoutes(app);
  registerJobRoutes(app);
  registerNotificationRoutes(app);
  registerNotificationPreferenceRoutes(app);
  registerDataRightsRoutes(app);
  // Tutor chat
  registerChatRoutes(app);
  registerTutorPolicyRoutes(app);
  registerUsageRoutes(app);
  registerInsightRoutes(app);
  // Documents and retrieval
  registerDocumentRoutes(app, services);
  registerSearchRoutes(app);
  // exams
  registerExamRoutes(app);
  registerExamItemRoutes(app);
  registerExamItemToolRoutes(app);
  registerAttemptRoutes(app);
  registerMyAttemptRoutes(app);
  registerExamResultRoutes(app);
  registerGoldenRoutes(app);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "AI Teacher core API", version: "1.0.0" },
  });
  return app;
}
