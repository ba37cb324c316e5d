/** The profile feature's public surface. */
export { ProfilePage } from "./profile_page.tsx";
