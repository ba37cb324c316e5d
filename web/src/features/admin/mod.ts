/** The admin console's public surface. */
export { AdminCatalogPage } from "./catalog_page.tsx";
export { AdminUsersPage } from "./users_page.tsx";
