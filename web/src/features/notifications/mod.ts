/** The notifications feature's public surface. */
export { NotificationsLink, NotificationsPage } from "./notifications.tsx";
