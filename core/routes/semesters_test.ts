import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

dbTest(
  "[core] semesters: an admin creates one, dates are checked, lists filter and page by start date",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    let res = await admin.request("POST", "/v1/semesters", {
      facultyId: w.facultyA,
      name: "Backwards",
      startsOn: "2027-09-01",
      endsOn: "2027-01-01",
    });
    assert.equal(res.status, 400);
    res = await admin.request("POST", "/v1/semesters", {
      facultyId: w.facultyDeleted,
      name: "Nowhere",
      startsOn: "2027-09-01",
      endsOn: "2027-12-01",
    });
    assert.equal(res.status, 400);
    res = await admin.request("POST", "/v1/semesters", {
      facultyId: w.facultyA,
      name: "Winter",
      startsOn: "2028-01-01",
      endsOn: "2028-03-01",
      active: true,
    });
    assert.equal(res.status, 201);
    const winter = await res.json();
    res = await admin.request("PATCH", `/v1/semesters/${winter.id}`, { endsOn: "2027-12-31" });
    assert.equal(res.status, 400);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await (await admin.request(
        "GET",
        `/v1/semesters?facultyId=${w.facultyA}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      )).json();
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [winter.id, w.semesterEmpty, w.semesterA], "newest start first by default");
    res = await admin.request("GET", `/v1/semesters?facultyId=${w.facultyA}&active=true&sort=startsOn`);
    assert.deepEqual((await res.json()).items.map((s: { id: string }) => s.id), [w.semesterA, winter.id]);
    res = await admin.request(
      "GET",
      `/v1/semesters?facultyId=${w.facultyA}&sort=name&cursor=${cursor ?? "x"}`,
    );
    assert.equal(res.status, 400);
  },
);
