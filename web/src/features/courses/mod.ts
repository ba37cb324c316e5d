/** The courses feature's public surface. */
export { MyCoursesPage, useMyCourses } from "./my_courses.tsx";
