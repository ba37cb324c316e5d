/**
 * Course insight and the admin user directory in Chromium against the real stack (edge, core, workers; offline
 * tutor and embedder): students ask the tutor through the API, twice about something the material lacks; their
 * academic opens the course's insight and finds those questions grouped as one gap, with the charts, in English
 * and in Arabic; an admin (signed in with a TOTP code) looks a student up by part of the email, sees the
 * enrolment and makes them an academic with a reason, which the audit trail keeps, then sets up a faculty, a
 * semester and a course in the catalog console and deletes and restores the course. Every page is checked with
 * axe-core; screenshots go to docs/screenshots/.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { totpCodeFor } from "../../core/auth/totp.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";
import type { WebStack } from "./stack.ts";

const NOTES = `# Simultaneous equations

Simultaneous equations are two or more equations solved together, so that the values of the unknowns satisfy
all of them at the same time.

The substitution method solves one equation for one unknown and substitutes that expression into the other.

The elimination method adds or subtracts the equations so that one unknown disappears.
`;

/** Asks the tutor a question in a new session as the holder of `token`; returns whether it was refused. */
async function ask(stack: WebStack, token: string, courseId: string, content: string): Promise<boolean> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const session = await (await fetch(`${stack.url}/api/v1/chat/sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ courseId, title: "Revision" }),
  })).json();
  const res = await fetch(`${stack.url}/api/v1/chat/sessions/${session.id}/messages`, {
    method: "POST",
    headers,
    body: JSON.stringify({ content }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.message.refused === true || body.message.citations.length === 0;
}

Deno.test({
  name:
    "[web] an academic sees the questions the material could not answer; an admin finds a user and changes " +
    "their role with a reason",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { stack, page, step, close } = await startJourney(t);
    try {
      const tag = crypto.randomUUID().slice(0, 8);
      const course = await stack.createCourse("Simultaneous Equations");
      const academicEmail = `academic-${tag}@uni.example`;
      await stack.makeInstructor(await stack.register(academicEmail, PASSWORD, "Dr. Felder"), course);
      const academicToken = await stack.login(academicEmail, PASSWORD);
      await stack.addDocument(academicToken, course.id, "equations.md", new TextEncoder().encode(NOTES));
      const studentEmail = `layla-${tag}@uni.example`;
      const student = await stack.register(studentEmail, PASSWORD, "Layla");
      const other = await stack.register(`omar-${tag}@uni.example`, PASSWORD, "Omar");
      await stack.enrol(student, course.id);
      await stack.enrol(other, course.id);
      const laylaToken = await stack.login(studentEmail, PASSWORD);
      const omarToken = await stack.login(`omar-${tag}@uni.example`, PASSWORD);
      assert.equal(await ask(stack, laylaToken, course.id, "What is the substitution method?"), false);
      assert.equal(
        await ask(stack, laylaToken, course.id, "What is the boiling point of liquid nitrogen?"),
        true,
      );
      assert.equal(
        await ask(stack, omarToken, course.id, "At what temperature does liquid nitrogen boil?"),
        true,
      );

      await step(
        "the academic opens the course's insight and sees the unanswered questions as one gap",
        async () => {
          await signIn(page, stack.url, academicEmail);
          await page.getByRole("link", { name: "Insight" }).click();
          await page.getByRole("heading", { name: "Course insight" }).waitFor();
          await assertAccessible(page, "insight index");
          await page.getByRole("link", { name: /Simultaneous Equations/ }).click();
          await page.getByRole("heading", { name: "Insight: Simultaneous Equations" }).waitFor();
          const gap = page.locator("ol.gaps > li").first();
          await gap.getByText("Asked 2 times by 2 people").waitFor();
          assert.match(await gap.innerText(), /boiling point of liquid nitrogen/);
          assert.match(await gap.innerText(), /does liquid nitrogen boil/);
          const weekly = page.getByRole("img", {
            name: /3 questions in 12 weeks; the material could not answer 2/,
          });
          await weekly.locator("svg").waitFor();
          // The one document was cited by the one answered question.
          await page.getByRole("row").filter({ hasText: "equations" }).getByRole("cell", { name: "1" })
            .waitFor();
          await assertAccessible(page, "course insight");
          await screenshot(page, "insight-en");
          // The chart's numbers, for whoever cannot see it: this week's row holds 1 answered and 2 not.
          await page.getByText("Show the data").first().click();
          const thisWeek = page.locator("figure.chart").first().locator("tbody tr").last();
          assert.deepEqual(await thisWeek.locator("td").allInnerTexts(), ["1", "2"]);
          await assertAccessible(page, "course insight with the chart's data open");
        },
      );

      await step("in Arabic the insight page turns right-to-left with the same gap", async () => {
        await page.getByRole("button", { name: "العربية" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
        await page.getByRole("heading", { name: "رؤى: Simultaneous Equations" }).waitFor();
        await page.getByText("سُئل 2 مرة من 2 أشخاص").waitFor();
        await page.locator(".chart-drawing svg").first().waitFor();
        await assertAccessible(page, "course insight (Arabic)");
        await screenshot(page, "insight-ar");
        await page.getByRole("button", { name: "English" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "ltr", null, { timeout: 10_000 });
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.getByRole("heading", { name: "Sign in to AI Teacher" }).waitFor();
      });

      await step("an admin finds the student by part of her email and makes her an academic", async () => {
        const adminEmail = `registrar-${tag}@uni.example`;
        const adminId = await stack.register(adminEmail, PASSWORD, "Registrar");
        const secret = await stack.makeAdmin(adminId, adminEmail);
        await signIn(page, stack.url, adminEmail, () => totpCodeFor(secret));
        await page.getByRole("link", { name: "Users" }).click();
        await page.getByRole("heading", { name: "Users" }).waitFor();
        await page.getByLabel("Email or name").fill(`LAYLA-${tag}`);
        await page.getByRole("button", { name: "Search" }).click();
        await page.getByRole("button", { name: `Manage ${studentEmail}` }).click();
        const detail = page.getByRole("region", { name: studentEmail });
        await detail.getByText("Simultaneous Equations").waitFor();
        await detail.getByLabel("New role").selectOption("ACADEMIC");
        await detail.getByLabel("Reason").fill("Teaching assistant from this semester");
        await assertAccessible(page, "user directory");
        await detail.getByRole("button", { name: "Change role" }).click();
        await detail.getByText("Role changed. They were signed out everywhere.").waitFor();
        await page.getByRole("row").filter({ hasText: studentEmail }).getByRole("cell", { name: "Academic" })
          .waitFor();
        await screenshot(page, "admin-users-en");
        const [event] = await stack.database.db.select().from(auditEvents).where(and(
          eq(auditEvents.action, "user.role_changed"),
          eq(auditEvents.target, `user:${student}`),
        ));
        assert.deepEqual(event.metadata, {
          from: "STUDENT",
          to: "ACADEMIC",
          reason: "Teaching assistant from this semester",
        });
      });

      await step(
        "the admin sets up a faculty, a semester and a course, deletes the course and restores it",
        async () => {
          await page.getByRole("link", { name: "Catalog" }).click();
          await page.getByRole("heading", { name: "Catalog" }).waitFor();
          const faculties = page.getByRole("region", { name: "Faculties" });
          await faculties.locator("summary", { hasText: "Add a faculty" }).click();
          await faculties.getByLabel("Name").fill(`Engineering ${tag}`);
          await faculties.getByLabel("Code").fill(`ENG-${tag}`);
          await faculties.getByRole("button", { name: "Create" }).click();
          await faculties.getByRole("button", { name: `Semesters of Engineering ${tag}` }).click();
          const semesters = page.getByRole("region", { name: `Semesters of Engineering ${tag}` });
          await semesters.locator("summary", { hasText: "Add a semester" }).click();
          await semesters.getByLabel("Name").fill("Spring 2027");
          await semesters.getByLabel("Starts on").fill("2027-02-01");
          await semesters.getByLabel("Ends on").fill("2027-06-30");
          await semesters.getByLabel("Active").check();
          await semesters.getByRole("button", { name: "Create" }).click();
          await semesters.getByRole("button", { name: "Courses of Spring 2027" }).click();
          const courses = page.getByRole("region", { name: "Courses of Spring 2027" });
          await courses.locator("summary", { hasText: "Add a course" }).click();
          await courses.getByLabel("Code").fill(`STAT-${tag}`);
          await courses.getByLabel("Title").fill("Statistics for engineers");
          await courses.getByRole("button", { name: "Create" }).click();
          await courses.getByRole("row").filter({ hasText: "Statistics for engineers" }).waitFor();
          // A faculty with a live semester cannot be deleted: the server's reason is shown.
          page.once("dialog", (d) => d.accept());
          await faculties.getByRole("button", { name: `Delete Engineering ${tag}` }).click();
          await faculties.getByRole("alert").waitFor();
          page.once("dialog", (d) => d.accept());
          await courses.getByRole("button", { name: `Delete STAT-${tag}` }).click();
          await courses.getByRole("row").filter({ hasText: "Statistics for engineers" }).getByText("Deleted")
            .waitFor();
          await courses.getByRole("button", { name: `Restore STAT-${tag}` }).click();
          await courses.getByRole("button", { name: `Edit STAT-${tag}` }).waitFor();
          await assertAccessible(page, "catalog console");
          await page.evaluate(() => scrollTo(0, 0));
          await screenshot(page, "admin-catalog-en");
        },
      );
    } finally {
      await close();
    }
  },
});
