/** The tutor policy screen. */
export { TutorPolicyPage } from "./tutor_policy_page.tsx";
