/**
 * The admins' catalog console (`/admin/catalog`): faculties, then the semesters of the faculty opened, then the
 * courses of the semester opened; each created, edited, soft-deleted and restored through the catalog API.
 */
import { useLocation } from "preact-iso";
import { useState } from "preact/hooks";
import { Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { CatalogSection, type SectionSpec, type Values } from "./catalog_section.tsx";

type Faculty = Schemas["Faculty"];
type Semester = Schemas["Semester"];
type Course = Schemas["Course"];
const LIMIT = 20;
const text = (v: Values, name: string) => String(v[name] ?? "").trim();

/** `/admin/catalog`. */
export function AdminCatalogPage() {
  const { t } = useI18n();
  const { route } = useLocation();
  const [faculty, setFaculty] = useState<Faculty | null>(null);
  const [semester, setSemester] = useState<Semester | null>(null);

  const faculties: SectionSpec<Faculty> = {
    id: "faculties",
    title: t("catalog.faculties"),
    addLabel: t("catalog.addFaculty"),
    queryKey: ["catalog", "faculties"],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET("/api/v1/faculties", {
          params: {
            query: {
              cursor,
              limit: LIMIT,
              sort: "code",
              includeDeleted: "true",
            },
          },
        }),
      ),
    nameOf: (f) => f.name,
    columns: [
      { label: t("catalog.name"), value: (f) => f.name },
      { label: t("catalog.code"), value: (f) => f.code },
    ],
    fields: [
      { name: "name", label: t("catalog.name"), type: "text", required: true },
      { name: "code", label: t("catalog.code"), type: "text", required: true },
    ],
    valuesOf: (f) => ({ name: f.name, code: f.code }),
    create: async (v) =>
      unwrap(await api.POST("/api/v1/faculties", { body: { name: text(v, "name"), code: text(v, "code") } })),
    update: async (id, v) =>
      unwrap(
        await api.PATCH("/api/v1/faculties/{id}", {
          params: { path: { id } },
          body: { name: text(v, "name"), code: text(v, "code") },
        }),
      ),
    remove: async (id) => unwrap(await api.DELETE("/api/v1/faculties/{id}", { params: { path: { id } } })),
    restore: async (id) =>
      unwrap(await api.POST("/api/v1/faculties/{id}/restore", { params: { path: { id } } })),
    open: {
      label: (f) => t("catalog.openSemesters", { name: f.name }),
      run: (f) => {
        setFaculty(f);
        setSemester(null);
      },
      current: faculty?.id,
    },
  };

  const semesters: SectionSpec<Semester> | null = faculty && {
    id: "semesters",
    title: t("catalog.semestersOf", { name: faculty.name }),
    addLabel: t("catalog.addSemester"),
    queryKey: ["catalog", "semesters", faculty.id],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET("/api/v1/semesters", {
          params: {
            query: {
              facultyId: faculty.id,
              cursor,
              limit: LIMIT,
              sort: "-startsOn",
              includeDeleted: "true",
            },
          },
        }),
      ),
    nameOf: (s) => s.name,
    columns: [
      { label: t("catalog.name"), value: (s) => s.name },
      { label: t("catalog.startsOn"), value: (s) => s.startsOn },
      { label: t("catalog.endsOn"), value: (s) => s.endsOn },
      { label: t("catalog.active"), value: (s) => s.active ? t("catalog.yes") : t("catalog.no") },
    ],
    fields: [
      { name: "name", label: t("catalog.name"), type: "text", required: true },
      { name: "startsOn", label: t("catalog.startsOn"), type: "date", required: true },
      { name: "endsOn", label: t("catalog.endsOn"), type: "date", required: true },
      { name: "active", label: t("catalog.active"), type: "checkbox" },
    ],
    valuesOf: (s) => ({ name: s.name, startsOn: s.startsOn, endsOn: s.endsOn, active: s.active }),
    create: async (v) =>
      unwrap(
        await api.POST("/api/v1/semesters", {
          body: {
            facultyId: faculty.id,
            name: text(v, "name"),
            startsOn: text(v, "startsOn"),
            endsOn: text(v, "endsOn"),
            active: v.active === true,
          },
        }),
      ),
    update: async (id, v) =>
      unwrap(
        await api.PATCH("/api/v1/semesters/{id}", {
          params: { path: { id } },
          body: {
            name: text(v, "name"),
            startsOn: text(v, "startsOn"),
            endsOn: text(v, "endsOn"),
            active: v.active === true,
          },
        }),
      ),
    remove: async (id) => unwrap(await api.DELETE("/api/v1/semesters/{id}", { params: { path: { id } } })),
    restore: async (id) =>
      unwrap(await api.POST("/api/v1/semesters/{id}/restore", { params: { path: { id } } })),
    open: {
      label: (s) => t("catalog.openCourses", { name: s.name }),
      run: setSemester,
      current: semester?.id,
    },
  };

  const languages = [{ value: "en", label: t("lang.en") }, { value: "ar", label: t("lang.ar") }];
  const courses: SectionSpec<Course> | null = semester && {
    id: "courses",
    title: t("catalog.coursesOf", { name: semester.name }),
    addLabel: t("catalog.addCourse"),
    queryKey: ["catalog", "courses", semester.id],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET("/api/v1/courses", {
          params: {
            query: {
              semesterId: semester.id,
              cursor,
              limit: LIMIT,
              sort: "code",
              includeDeleted: "true",
            },
          },
        }),
      ),
    nameOf: (c) => c.code,
    open: { label: (c) => t("roster.open", { code: c.code }), run: (c) => route(`/roster/${c.id}`) },
    columns: [
      { label: t("catalog.code"), value: (c) => c.code },
      { label: t("catalog.courseTitle"), value: (c) => c.title },
      { label: t("catalog.language"), value: (c) => t(`lang.${c.language}`) },
    ],
    fields: [
      { name: "code", label: t("catalog.code"), type: "text", required: true },
      { name: "title", label: t("catalog.courseTitle"), type: "text", required: true },
      { name: "language", label: t("catalog.language"), type: "select", options: languages },
    ],
    valuesOf: (c) => ({ code: c.code, title: c.title, language: c.language }),
    create: async (v) =>
      unwrap(
        await api.POST("/api/v1/courses", {
          body: {
            semesterId: semester.id,
            code: text(v, "code"),
            title: text(v, "title"),
            language: text(v, "language") === "ar" ? "ar" : "en",
          },
        }),
      ),
    update: async (id, v) =>
      unwrap(
        await api.PATCH("/api/v1/courses/{id}", {
          params: { path: { id } },
          body: {
            code: text(v, "code"),
            title: text(v, "title"),
            language: text(v, "language") === "ar" ? "ar" : "en",
          },
        }),
      ),
    remove: async (id) => unwrap(await api.DELETE("/api/v1/courses/{id}", { params: { path: { id } } })),
    restore: async (id) =>
      unwrap(await api.POST("/api/v1/courses/{id}/restore", { params: { path: { id } } })),
  };

  return (
    <Page title={t("catalog.title")} wide>
      <p>{t("catalog.intro")}</p>
      <CatalogSection key="faculties" spec={faculties} />
      {semesters && <CatalogSection key={semesters.queryKey.join("/")} spec={semesters} />}
      {courses && <CatalogSection key={courses.queryKey.join("/")} spec={courses} />}
    </Page>
  );
}
