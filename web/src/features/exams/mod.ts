/** The exams feature's public surface (loaded on demand: the chat page does not carry it). */
export { ExamsPanel } from "./exams_panel.tsx";
export { ExamPage } from "./exam_page.tsx";
