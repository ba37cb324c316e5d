/** The course insight feature's public surface. */
export { InsightIndexPage } from "./insight_index.tsx";
export { InsightPage } from "./insight_page.tsx";
