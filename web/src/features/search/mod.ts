/** The search feature's public surface. */
export { SearchPanel } from "./search_panel.tsx";
