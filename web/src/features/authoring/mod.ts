/** The exam authoring and grading feature for a course's staff (loaded on demand). */
export { AuthoringPanel } from "./authoring_panel.tsx";
export { AuthoringPage } from "./authoring_page.tsx";
