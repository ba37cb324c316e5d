/** The admin console's public surface (the audit, jobs and roster pages are loaded on demand by the app). */
export { AdminCatalogPage } from "./catalog_page.tsx";
export { AdminUsersPage } from "./users_page.tsx";
