/**
 * The authorization matrix of the academic endpoints: every endpoint against every kind of caller, on rows that are
 * theirs and rows that are not. Course A (faculty A) is "own" for academicOwn and studentEnrolled and "foreign" for
 * academicOther and studentOther; course B is the reverse. Expected statuses are the table below; lists also check
 * which rows come back, so a 200 that leaks a foreign row fails.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { type AcademicWorld, createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

type Who = "admin" | "academicOwn" | "academicOther" | "studentEnrolled" | "studentOther" | "anonymous";
const WHO: Who[] = ["admin", "academicOwn", "academicOther", "studentEnrolled", "studentOther", "anonymous"];

interface Case {
  method: string;
  path: (w: AcademicWorld) => string;
  body?: (w: AcademicWorld) => unknown;
  contentType?: string;
  /** Statuses in WHO order: admin, academicOwn, academicOther, studentEnrolled, studentOther, anonymous. */
  expect: [number, number, number, number, number, number];
  /** For lists: the ids each caller must get back (exactly), keyed by caller. */
  items?: Partial<Record<Who, (w: AcademicWorld) => string[]>>;
}

const A = (w: AcademicWorld) => w.courseA;
const B = (w: AcademicWorld) => w.courseB;
const semesterBody = (w: AcademicWorld) => ({
  facultyId: w.facultyA,
  name: "Summer",
  startsOn: "2027-07-01",
  endsOn: "2027-08-31",
});
const courseBody = (w: AcademicWorld) => ({
  semesterId: w.semesterA,
  code: `N-${crypto.randomUUID().slice(0, 8)}`,
  title: "New course",
});

// deno-fmt-ignore
const MATRIX: Case[] = [
  //                                                                                 admin acOwn acOth stEnr stOth anon
  { method: "GET", path: () => "/v1/faculties", expect:                              [200,  200,  200,  200,  200,  401] },
  { method: "GET", path: () => "/v1/faculties?includeDeleted=true", expect:          [200,  403,  403,  403,  403,  401] },
  { method: "GET", path: (w) => `/v1/faculties/${w.facultyA}`, expect:               [200,  200,  200,  200,  200,  401] },
  { method: "GET", path: (w) => `/v1/faculties/${w.facultyDeleted}`, expect:         [404,  404,  404,  404,  404,  401] },
  { method: "POST", path: () => "/v1/faculties",
    body: () => ({ name: "New", code: `N-${crypto.randomUUID().slice(0, 8)}` }), expect: [201, 403, 403, 403, 403, 401] },
  { method: "PATCH", path: (w) => `/v1/faculties/${w.facultyA}`, body: () => ({ name: "Renamed" }),
    expect:                                                                          [200,  403,  403,  403,  403,  401] },
  { method: "DELETE", path: (w) => `/v1/faculties/${w.facultyEmpty}`, expect:        [204,  403,  403,  403,  403,  401] },
  { method: "POST", path: (w) => `/v1/faculties/${w.facultyDeleted}/restore`, expect: [200, 403,  403,  403,  403,  401] },

  { method: "GET", path: (w) => `/v1/semesters?facultyId=${w.facultyA}`, expect:     [200,  200,  200,  200,  200,  401],
    items: Object.fromEntries(WHO.slice(0, 5).map((who) => [who, (w: AcademicWorld) => [w.semesterA, w.semesterEmpty]])) },
  { method: "GET", path: () => "/v1/semesters?includeDeleted=true", expect:          [200,  403,  403,  403,  403,  401] },
  { method: "GET", path: (w) => `/v1/semesters/${w.semesterA}`, expect:              [200,  200,  200,  200,  200,  401] },
  { method: "POST", path: () => "/v1/semesters", body: semesterBody, expect:         [201,  403,  403,  403,  403,  401] },
  { method: "PATCH", path: (w) => `/v1/semesters/${w.semesterA}`, body: () => ({ active: false }),
    expect:                                                                          [200,  403,  403,  403,  403,  401] },
  { method: "DELETE", path: (w) => `/v1/semesters/${w.semesterEmpty}`, expect:       [204,  403,  403,  403,  403,  401] },
  { method: "POST", path: (w) => `/v1/semesters/${w.semesterDeleted}/restore`, expect: [200, 403, 403,  403,  403,  401] },

  { method: "GET", path: (w) => `/v1/courses?facultyId=${w.facultyA}&limit=100`, expect: [200, 200, 200, 200, 200, 401],
    items: { admin: (w) => [w.courseA], academicOwn: (w) => [w.courseA], academicOther: () => [],
      studentEnrolled: (w) => [w.courseA], studentOther: () => [] } },
  { method: "GET", path: (w) => `/v1/courses?facultyId=${w.facultyB}&limit=100`, expect: [200, 200, 200, 200, 200, 401],
    items: { admin: (w) => [w.courseB], academicOwn: () => [], academicOther: (w) => [w.courseB],
      studentEnrolled: () => [], studentOther: (w) => [w.courseB] } },
  { method: "GET", path: () => "/v1/courses?includeDeleted=true", expect:            [200,  403,  403,  403,  403,  401] },
  { method: "GET", path: (w) => `/v1/courses/${A(w)}`, expect:                       [200,  200,  404,  200,  404,  401] },
  { method: "GET", path: (w) => `/v1/courses/${B(w)}`, expect:                       [200,  404,  200,  404,  200,  401] },
  { method: "GET", path: (w) => `/v1/courses/${w.courseDeleted}`, expect:            [404,  404,  404,  404,  404,  401] },
  { method: "POST", path: () => "/v1/courses", body: courseBody, expect:             [201,  201,  403,  403,  403,  401] },
  { method: "PATCH", path: (w) => `/v1/courses/${A(w)}`, body: () => ({ title: "Dynamics" }),
    expect:                                                                          [200,  200,  404,  403,  403,  401] },
  { method: "PATCH", path: (w) => `/v1/courses/${B(w)}`, body: () => ({ title: "Physiology" }),
    expect:                                                                          [200,  404,  200,  403,  403,  401] },
  { method: "DELETE", path: (w) => `/v1/courses/${A(w)}`, expect:                    [204,  204,  404,  403,  403,  401] },
  { method: "POST", path: (w) => `/v1/courses/${w.courseDeleted}/restore`, expect:   [200,  403,  403,  403,  403,  401] },

  { method: "GET", path: (w) => `/v1/courses/${A(w)}/enrollments`, expect:           [200,  200,  404,  403,  403,  401],
    items: { admin: (w) => [w.enrollmentA], academicOwn: (w) => [w.enrollmentA] } },
  { method: "GET", path: (w) => `/v1/courses/${B(w)}/enrollments`, expect:           [200,  404,  200,  403,  403,  401],
    items: { admin: (w) => [w.enrollmentB], academicOther: (w) => [w.enrollmentB] } },
  { method: "POST", path: (w) => `/v1/courses/${A(w)}/enrollments`, body: (w) => ({ email: w.spareStudent.email }),
    expect:                                                                          [201,  201,  404,  403,  403,  401] },
  { method: "POST", path: (w) => `/v1/courses/${A(w)}/enrollments/import`, contentType: "text/csv",
    body: (w) => `email,role\n${w.spareStudent.email},student\n`, expect:           [200,  200,  404,  403,  403,  401] },
  { method: "PATCH", path: (w) => `/v1/courses/${A(w)}/enrollments/${w.enrollmentA}`, body: () => ({ role: "student" }),
    expect:                                                                          [200,  200,  404,  403,  403,  401] },
  { method: "PATCH", path: (w) => `/v1/courses/${A(w)}/enrollments/${w.enrollmentB}`, body: () => ({ role: "student" }),
    expect:                                                                          [404,  404,  404,  403,  403,  401] },
  { method: "DELETE", path: (w) => `/v1/courses/${A(w)}/enrollments/${w.enrollmentA}`, expect: [204, 204, 404, 403, 403, 401] },
  { method: "POST", path: (w) => `/v1/courses/${A(w)}/enrollments/${w.enrollmentDeleted}/restore`,
    expect:                                                                          [200,  403,  403,  403,  403,  401] },

  { method: "GET", path: () => "/v1/me/courses", expect:                             [200,  200,  200,  200,  200,  401],
    items: { admin: () => [], academicOwn: () => [], academicOther: () => [], studentEnrolled: (w) => [w.courseA],
      studentOther: (w) => [w.courseB] } },
  { method: "GET", path: () => "/v1/me/profile", expect:                             [200,  200,  200,  200,  200,  401] },
  { method: "PATCH", path: () => "/v1/me/profile", body: () => ({ preferredLanguage: "ar" }),
    expect:                                                                          [200,  200,  200,  200,  200,  401] },
  { method: "PATCH", path: () => "/v1/me/profile", body: (w) => ({ facultyId: w.facultyB }),
    expect:                                                                          [400,  400,  400,  400,  400,  401] },
  { method: "PUT", path: (w) => `/v1/users/${w.studentEnrolled.id}/profile`, body: (w) => ({ facultyId: w.facultyA }),
    expect:                                                                          [200,  403,  403,  403,  403,  401] },
  { method: "GET", path: () => "/v1/audit", expect:                                  [200,  403,  403,  403,  403,  401] },
];

dbTest(
  "[core] academic endpoints follow the authorization matrix and leak no foreign rows",
  async (database) => {
    const core = createTestCore(database);
    const failures: string[] = [];
    let checked = 0;
    for (const row of MATRIX) {
      // Reads share one world per row; writes get a fresh world per caller so one caller's change cannot hide another's.
      let shared: AcademicWorld | undefined;
      for (const [i, who] of WHO.entries()) {
        const w = row.method === "GET"
          ? (shared ??= await createAcademicWorld(database))
          : await createAcademicWorld(database);
        const client = who === "anonymous" ? core.anonymous : core.asUser(w[who]);
        const path = row.path(w);
        const body = row.body?.(w);
        const res = await client.request(
          row.method,
          path,
          body,
          row.contentType ? { "content-type": row.contentType } : {},
        );
        const label = `${row.method} ${path.replace(/[0-9a-f-]{36}/g, ":id")} as ${who}`;
        checked++;
        if (res.status !== row.expect[i]) {
          failures.push(`${label}: expected ${row.expect[i]}, got ${res.status} ${await res.text()}`);
          continue;
        }
        const expectedItems = row.items?.[who];
        if (res.status === 200 && expectedItems) {
          const got = (await res.json()).items.map((x: { id: string }) => x.id).sort();
          const want = expectedItems(w).sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            failures.push(`${label}: expected items ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
          }
        } else await res.body?.cancel();
      }
    }
    assert.equal(checked, MATRIX.length * WHO.length);
    assert.deepEqual(failures, []);
  },
);
