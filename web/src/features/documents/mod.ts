/** The documents feature's public surface. */
export { DocumentsPanel } from "./documents_panel.tsx";
