import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

dbTest(
  "[core] faculties: an admin creates, renames, deletes and restores a faculty, each audited",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    const code = `F-${crypto.randomUUID().slice(0, 8)}`;
    let res = await admin.request("POST", "/v1/faculties", { name: "Science", code });
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const created = await res.json();
    assert.equal(created.code, code);
    assert.equal(res.headers.get("location"), `/api/v1/faculties/${created.id}`, "Location: its public URL");
    res = await admin.request("PATCH", `/v1/faculties/${created.id}`, { name: "Natural Science" });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).name, "Natural Science");
    res = await admin.request("POST", "/v1/faculties", { name: "Dup", code });
    assert.equal(res.status, 409);
    res = await admin.request("DELETE", `/v1/faculties/${created.id}`);
    assert.equal(res.status, 204);
    res = await admin.request("GET", `/v1/faculties/${created.id}`);
    assert.equal(res.status, 404);
    res = await admin.request("GET", `/v1/faculties/${created.id}?includeDeleted=true`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-cache");
    res = await admin.request("POST", `/v1/faculties/${created.id}/restore`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).deletedAt, null);
    res = await admin.request("GET", `/v1/audit?target=faculty:${created.id}&sort=timestamp`);
    assert.equal(res.status, 200);
    const actions = (await res.json()).items.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ["faculty.create", "faculty.update", "faculty.delete", "faculty.restore"]);
  },
);

dbTest("[core] faculties: refuses to delete a faculty with live semesters", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const res = await core.asUser(w.admin).request("DELETE", `/v1/faculties/${w.facultyA}`);
  assert.equal(res.status, 409);
});

dbTest(
  "[core] GET /v1/faculties/:id returns an ETag, public caching and 304 on If-None-Match",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const student = core.asUser(w.studentOther);
    const res = await student.request("GET", `/v1/faculties/${w.facultyA}`);
    assert.equal(res.status, 200);
    const etag = res.headers.get("etag");
    assert.match(etag ?? "", /^"[0-9a-f]{64}"$/);
    assert.equal(res.headers.get("cache-control"), "public, max-age=60");
    const again = await student.request("GET", `/v1/faculties/${w.facultyA}`, undefined, {
      "if-none-match": etag!,
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("etag"), etag);
    assert.equal(again.headers.get("cache-control"), "public, max-age=60");
    assert.equal(await again.text(), "");
    const other = await student.request("GET", `/v1/faculties/${w.facultyA}`, undefined, {
      "if-none-match": '"x"',
    });
    assert.equal(other.status, 200);
  },
);

dbTest("[core] GET /v1/faculties pages by cursor without repeats and filters by q", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const admin = core.asUser(w.admin);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await admin.request(
      "GET",
      `/v1/faculties?limit=2&sort=-createdAt${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.ok(page.items.length <= 2);
    seen.push(...page.items.map((f: { id: string }) => f.id));
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(seen.includes(w.facultyA) && seen.includes(w.facultyB));
  assert.ok(!seen.includes(w.facultyDeleted));
  const code = (await (await admin.request("GET", `/v1/faculties/${w.facultyA}`)).json()).code;
  const res = await admin.request("GET", `/v1/faculties?q=${code}`);
  assert.deepEqual((await res.json()).items.map((f: { id: string }) => f.id), [w.facultyA]);
  const bad = await admin.request("GET", `/v1/faculties?cursor=nonsense`);
  assert.equal(bad.status, 400);
  const badSort = await admin.request("GET", `/v1/faculties?sort=secret`);
  assert.equal(badSort.status, 400);
});

dbTest("[core] the OpenAPI document lists the academic routes", async (database) => {
  const core = createTestCore(database);
  const res = await core.anonymous.request("GET", "/openapi.json");
  assert.equal(res.status, 200);
  const doc = await res.json();
  for (
    const path of [
      "/v1/faculties",
      "/v1/semesters/{id}/restore",
      "/v1/courses/{id}/enrollments/import",
      "/v1/me/courses",
      "/v1/audit",
    ]
  ) assert.ok(doc.paths[path], `${path} is documented`);
  assert.ok(doc.paths["/v1/courses/{id}/enrollments/import"].post.requestBody.content["text/csv"]);
});

dbTest("[core] an empty PATCH changes nothing and records nothing", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const admin = core.asUser(w.admin);
  for (
    const path of [`/v1/faculties/${w.facultyA}`, `/v1/semesters/${w.semesterA}`, `/v1/courses/${w.courseA}`]
  ) {
    const res = await admin.request("PATCH", path, {});
    assert.equal(res.status, 200, path);
    assert.equal((await res.json()).id, path.split("/").pop());
  }
  const audit = await (await admin.request("GET", `/v1/audit?userId=${w.admin.id}`)).json();
  assert.deepEqual(audit.items, []);
});
