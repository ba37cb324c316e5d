/** The admin console's public surface. */
export { AdminUsersPage } from "./users_page.tsx";
