/**
 * The admin console and the tutor policy in Chromium against the real stack (edge, core, workers): an admin
 * (signed in with a TOTP code) deactivates a student and brings her back, signs another one out everywhere (his
 * old token stops working), finds those actions in the audit log by actor, action and day, and retries a dead job
 * from the jobs screen, which also shows each tier's readiness; an academic switches the course's tutor to hints
 * only and sees what a student will be shown. Every page is checked with axe-core; screenshots go to
 * docs/screenshots/.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { totpCodeFor } from "../../core/auth/totp.ts";
import { enrollments } from "../../shared/db/schema/academics.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { users } from "../../shared/db/schema/users.ts";
import { PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";

Deno.test({
  name:
    "[web] an admin deactivates, reactivates and signs users out, finds it in the audit log and retries a dead " +
    "job; an academic sets the tutor policy and sees the preview",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { stack, page, step, close } = await startJourney(t);
    try {
      const tag = crypto.randomUUID().slice(0, 8);
      const course = await stack.createCourse("Thermodynamics");
      const academicEmail = `academic-${tag}@uni.example`;
      await stack.makeInstructor(await stack.register(academicEmail, PASSWORD, "Dr. Carnot"), course);
      const laylaEmail = `layla-${tag}@uni.example`;
      const layla = await stack.register(laylaEmail, PASSWORD, "Layla");
      const omarEmail = `omar-${tag}@uni.example`;
      const omar = await stack.register(omarEmail, PASSWORD, "Omar");
      const omarToken = await stack.login(omarEmail, PASSWORD);
      const adminEmail = `registrar-${tag}@uni.example`;
      const adminId = await stack.register(adminEmail, PASSWORD, "Registrar");
      const secret = await stack.makeAdmin(adminId, adminEmail);
      // A job that gave up: its reason is what the jobs screen must show.
      const [deadJob] = await stack.database.db.insert(jobs).values({
        type: `report_export_${tag}`,
        payload: {},
        status: "dead",
        attempts: 3,
        maxAttempts: 3,
        lastError: `storage unreachable ${tag}`,
        finishedAt: new Date(),
      }).returning();

      await step(
        "the admin deactivates Layla, finds her among deactivated accounts and reactivates her",
        async () => {
          await signIn(page, stack.url, adminEmail, () => totpCodeFor(secret));
          await page.getByRole("link", { name: "Users" }).click();
          await page.getByRole("heading", { name: "Users" }).waitFor();
          await page.getByLabel("Email or name").fill(`layla-${tag}`);
          await page.getByRole("button", { name: "Search" }).click();
          await page.getByRole("button", { name: `Manage ${laylaEmail}` }).click();
          const detail = page.getByRole("region", { name: laylaEmail });
          page.once("dialog", (d) => d.accept());
          await detail.getByRole("button", { name: "Deactivate" }).click();
          await detail.getByText("Deactivated. They were signed out everywhere.").waitFor();
          const [row] = await stack.database.db.select().from(users).where(eq(users.id, layla));
          assert.ok(row.deletedAt, "deactivated in the database");
          await page.getByLabel("Accounts").selectOption("deactivated");
          await page.getByRole("button", { name: "Search" }).click();
          await page.getByRole("row").filter({ hasText: laylaEmail }).getByText("Deactivated").waitFor();
          await page.getByRole("button", { name: `Manage ${laylaEmail}` }).click();
          await detail.getByText(/^Deactivated on /).waitFor();
          await assertAccessible(page, "user directory, deactivated accounts");
          page.once("dialog", (d) => d.accept());
          await detail.getByRole("button", { name: "Reactivate" }).click();
          await detail.getByText("Reactivated. They can sign in again.").waitFor();
          const [back] = await stack.database.db.select().from(users).where(eq(users.id, layla));
          assert.equal(back.deletedAt, null);
          // The admin cannot deactivate their own account: the server's reason is shown.
          await page.getByLabel("Accounts").selectOption("active");
          await page.getByLabel("Email or name").fill(`registrar-${tag}`);
          await page.getByRole("button", { name: "Search" }).click();
          await page.getByRole("button", { name: `Manage ${adminEmail}` }).click();
          page.once("dialog", (d) => d.accept());
          await page.getByRole("region", { name: adminEmail }).getByRole("button", { name: "Deactivate" })
            .click();
          await page.getByRole("region", { name: adminEmail }).getByRole("alert")
            .getByText(/cannot deactivate their own account/).waitFor();
        },
      );

      await step("the admin signs Omar out everywhere; his old token is refused", async () => {
        const before = await fetch(`${stack.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${omarToken}` },
        });
        assert.equal(before.status, 200);
        await before.body?.cancel();
        await page.getByLabel("Email or name").fill(`omar-${tag}`);
        await page.getByRole("button", { name: "Search" }).click();
        await page.getByRole("button", { name: `Manage ${omarEmail}` }).click();
        const detail = page.getByRole("region", { name: omarEmail });
        page.once("dialog", (d) => d.accept());
        await detail.getByRole("button", { name: "Sign out everywhere" }).click();
        await detail.getByText("Signed out on every device.").waitFor();
        const after = await fetch(`${stack.url}/api/v1/me`, {
          headers: { authorization: `Bearer ${omarToken}` },
        });
        assert.equal(after.status, 401);
        await after.body?.cancel();
        // Dismissing the confirm does nothing.
        page.once("dialog", (d) => d.dismiss());
        await detail.getByRole("button", { name: "Unlock sign-in" }).click();
        page.once("dialog", (d) => d.accept());
        await detail.getByRole("button", { name: "Unlock sign-in" }).click();
        await detail.getByText("Unlocked: 0 failed sign-ins forgotten.").waitFor();
        assert.ok(omar);
      });

      await step("the admin finds those actions in the audit log by actor, action and day", async () => {
        await page.getByRole("link", { name: "Audit log" }).click();
        await page.getByRole("heading", { name: "Audit log" }).waitFor();
        await page.getByLabel("Who acted (email)").fill(adminEmail);
        const today = new Date().toISOString().slice(0, 10);
        await page.getByLabel("From (day)").fill(today);
        await page.getByLabel("To (day, included)").fill(today);
        await page.getByRole("button", { name: "Apply" }).click();
        for (const action of ["user.deactivated", "user.reactivated", "user.signed_out_everywhere"]) {
          await page.getByRole("rowheader", { name: action, exact: true }).first().waitFor();
        }
        await page.getByLabel("Action", { exact: true }).fill("user.reactivated");
        await page.getByRole("button", { name: "Apply" }).click();
        await page.getByRole("row").filter({ hasText: `user:${layla}` }).waitFor();
        assert.equal(await page.getByRole("rowheader", { name: "user.deactivated" }).count(), 0);
        await assertAccessible(page, "audit log");
        await screenshot(page, "admin-audit-en");
        // A day with nothing.
        await page.getByLabel("From (day)").fill("2020-01-01");
        await page.getByLabel("To (day, included)").fill("2020-01-01");
        await page.getByRole("button", { name: "Apply" }).click();
        await page.getByText("No entries match.").waitFor();
      });

      await step(
        "the jobs screen shows the tiers ready and the dead job's reason, and retries it",
        async () => {
          await page.getByRole("link", { name: "Jobs and health" }).click();
          await page.getByRole("heading", { name: "Jobs and system health" }).waitFor();
          await page.getByText("Every tier is ready.").waitFor();
          // The workers' readiness comes from their own /readyz (core asks it), and the queue's state beside it.
          await page.getByRole("listitem").filter({ hasText: "Workers: ready" }).waitFor();
          await page.getByText(/^Job queue: .*; \d+ dead\.$/).waitFor();
          const row = page.getByRole("row").filter({ hasText: `report_export_${tag}` });
          await row.getByText(`storage unreachable ${tag}`).waitFor();
          await assertAccessible(page, "jobs and health");
          page.once("dialog", (d) => d.accept());
          await row.getByRole("button", { name: `Retry report_export_${tag}` }).click();
          await page.getByText(`The report_export_${tag} job is queued again.`).waitFor();
          const [job] = await stack.database.db.select().from(jobs).where(eq(jobs.id, deadJob.id));
          // Queued again as a new generation (the workers, which know no such type, may have dead-lettered it
          // again by now), and the retry is in the audit trail.
          assert.equal(job.generation, 1);
          const [retry] = await stack.database.db.select().from(auditEvents)
            .where(and(eq(auditEvents.action, "job.retry"), eq(auditEvents.target, `job:${deadJob.id}`)));
          assert.equal(retry.userId, adminId);
          await page.getByRole("button", { name: "Sign out" }).click();
          await page.getByRole("heading", { name: "Sign in to AI Teacher" }).waitFor();
        },
      );

      await step("the academic imports a roster and reads the report of every row", async () => {
        await signIn(page, stack.url, academicEmail);
        await page.goto(`${stack.url}/insight/${course.id}`);
        await page.getByRole("link", { name: "Roster import" }).click();
        await page.getByRole("heading", { name: "Roster import: Thermodynamics" }).waitFor();
        await page.getByLabel("Roster (CSV)").fill(
          `email,role\n${laylaEmail},student\nnot-an-email,student\n${laylaEmail},student\n${omarEmail},dean\n`,
        );
        await page.getByRole("button", { name: "Import" }).click();
        const report = page.getByRole("region", { name: "Report, row by row" });
        await report.getByText("4 rows: 1 enrolled, 0 invited, 3 refused.").waitFor();
        const rows = report.locator("tbody tr");
        assert.equal(await rows.count(), 4);
        assert.match(await rows.nth(0).innerText(), /Enrolled/);
        for (const i of [1, 2, 3]) assert.match(await rows.nth(i).innerText(), /Refused: \S/);
        await assertAccessible(page, "roster import report");
        const enrolled = await stack.database.db.select().from(enrollments)
          .where(and(eq(enrollments.courseId, course.id), eq(enrollments.userId, layla)));
        assert.equal(enrolled.length, 1);
      });

      await step(
        "the academic switches the tutor to hints only and sees what a student will be shown",
        async () => {
          await page.goto(`${stack.url}/insight/${course.id}`);
          await page.getByRole("link", { name: "Tutor policy" }).click();
          await page.getByRole("heading", { name: "Tutor policy: Thermodynamics" }).waitFor();
          const preview = page.getByTestId("preview-answer");
          await preview.getByText("Here is what your course material says").waitFor();
          await page.getByLabel("Hints only").check();
          await preview.getByText("A hint from your course material:").waitFor();
          await preview.getByText("Which part of the passage answers your question").waitFor();
          await page.getByText("An exam for this course is open right now").waitFor();
          // The course's limits: its own daily quota, and the lock-out during open exams turned off.
          const quotaPreview = page.getByTestId("preview-quota");
          await quotaPreview.getByText("This course: no limit", { exact: false }).waitFor();
          await page.getByLabel("Set this course's own daily question limit").check();
          await page.getByLabel("Questions a day, all users together (0: no limit)").fill("25");
          await quotaPreview.getByText("This course: 25 questions a day", { exact: false }).waitFor();
          await page.getByLabel("Refuse questions about an exam of this course while it is open").uncheck();
          await page.getByText("The lock-out is off").waitFor();
          await page.getByRole("button", { name: "Save the policy" }).click();
          // The message names each setting the save changed: here all three.
          const status = page.getByRole("status").filter({ hasText: "Saved." });
          await status.waitFor();
          assert.equal(
            await status.innerText(),
            "Saved. The tutor now uses “Hints only” in this course. While an exam of this course is open, the " +
              "tutor now answers as usual. This course now allows 25 questions a day, all users together.",
          );
          const token = await stack.login(academicEmail, PASSWORD);
          const saved = await (await fetch(`${stack.url}/api/v1/courses/${course.id}/tutor-policy`, {
            headers: { authorization: `Bearer ${token}` },
          })).json();
          assert.deepEqual(
            [saved.policy, saved.dailyQuestionQuota, saved.lockoutDuringExams],
            ["hints-only", 25, false],
          );
          assert.equal(
            await page.getByRole("button", { name: "Save the policy" }).isDisabled(),
            true,
            "nothing left to save",
          );
          await assertAccessible(page, "tutor policy");
          await screenshot(page, "tutor-policy-en");
          // In Arabic the page and the preview (the tutor's Arabic wording) turn right-to-left.
          await page.getByRole("button", { name: "العربية" }).click();
          await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
          await page.getByRole("heading", { name: "سياسة المساعد: Thermodynamics" }).waitFor();
          await page.getByTestId("preview-answer").getByText("تلميح من مواد المقرر:").waitFor();
          await page.getByLabel("عدد الأسئلة يوميًا لجميع المستخدمين معًا (0: بلا حد)").waitFor();
          await assertAccessible(page, "tutor policy (Arabic)");
          await page.evaluate(() => scrollTo(0, 0));
          await screenshot(page, "tutor-policy-ar");
          await page.getByRole("button", { name: "English" }).click();
        },
      );
    } finally {
      await close();
    }
  },
});
