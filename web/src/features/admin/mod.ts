/** The admin console's public surface. */
export { AdminAuditPage } from "./audit_page.tsx";
export { AdminCatalogPage } from "./catalog_page.tsx";
export { AdminJobsPage } from "./jobs_page.tsx";
export { AdminUsersPage } from "./users_page.tsx";
