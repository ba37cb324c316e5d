/** The chat feature's public surface. */
export { ChatPanel } from "./chat_panel.tsx";
