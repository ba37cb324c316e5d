/**
 * An academic authors and grades an exam in Chromium against the real stack (edge, core, workers; offline exam
 * generator and grader): with a ready Markdown note in her course she fills a blueprint (with a learning objective),
 * watches the generation finish, reviews the items beside their cited passages, regenerates one and opens its whole
 * passage, edits one, adds a short answer by hand and publishes;
 * releasing before closing is refused with the server's reason. A student's attempt is set up through the API;
 * the academic closes the exam, overrides the grader's unsure short answer with a reason, releases, and reads the
 * results per student and the item statistics (difficulty, discrimination, option choices).
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { attemptAnswers, examAttempts, examItems } from "../../shared/db/schema/exams.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { documentChunks } from "../../shared/db/schema/rag.ts";
import { call, EQUATIONS_NOTE, type ExamItem, PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";

// The exam's note with three more facts, so that regenerating an item has an untested sentence to turn to.
const NOTES = `${EQUATIONS_NOTE}
The substitution method works best when one variable already has a coefficient of one.

A consistent system of linear equations has at least one solution, and an inconsistent system has none.

Each equation of a linear system with two unknowns is drawn as a straight line on the graph.
`;
const HAND_QUESTION = "Which method adds or subtracts the equations so that one variable cancels out?";

Deno.test({
  name:
    "[web] an academic builds an exam from a blueprint, edits and publishes it, then overrides an unsure " +
    "short answer with a reason and reads the item statistics",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { stack, page, step, close } = await startJourney(t);
    try {
      const course = await stack.createCourse("Linear Systems");
      const academicEmail = `academic-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      const academicId = await stack.register(academicEmail, PASSWORD, "Dr. Noor");
      await stack.makeInstructor(academicId, course);
      const staffToken = await stack.login(academicEmail, PASSWORD);
      await stack.addDocument(staffToken, course.id, "notes.md", new TextEncoder().encode(NOTES));
      const studentEmail = `student-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      await stack.enrol(await stack.register(studentEmail, PASSWORD, "Omar"), course.id);
      let examId = "";

      await step(
        "she fills a blueprint on the course's Exams tab and watches the generation finish",
        async () => {
          await signIn(page, stack.url, academicEmail);
          await page.getByRole("link", { name: "Linear Systems" }).click();
          await page.getByRole("link", { name: "Exams", exact: true }).click();
          await page.getByText("No exams yet.", { exact: false }).waitFor();
          await page.getByRole("link", { name: "New exam" }).click();
          await page.getByRole("heading", { name: "New exam" }).waitFor();
          await page.getByLabel("Title").fill("Midterm quiz");
          await page.getByRole("checkbox", { name: /notes/ }).check();
          await page.getByLabel("Multiple choice").fill("2");
          await page.getByLabel("True or false").fill("2");
          await page.getByLabel("Short answer").fill("1");
          await page.getByLabel("Learning objectives").fill("Solve a system by the elimination method");
          // A mix that does not add up to 100 is stopped before it reaches the server.
          await page.getByLabel("Hard").fill("30");
          await page.getByRole("button", { name: "Generate the exam" }).click();
          await page.getByText("The difficulty mix must add up to 100 (it adds up to 110).").waitFor();
          await page.getByLabel("Hard").fill("20");
          await assertAccessible(page, "blueprint form");
          await page.getByRole("button", { name: "Generate the exam" }).click();
          await page.getByRole("heading", { name: "Midterm quiz" }).waitFor();
          examId = page.url().split("/").pop()!;
          // Live progress while the job runs, then the draft's items (the page polls; no reload).
          await page.getByText("Draft", { exact: true }).waitFor({ timeout: 120_000 });
          await page.getByRole("heading", { name: /^Items \(\d+\)$/ }).waitFor();
          const exam = await call(stack, staffToken, "GET", `/exams/${examId}`);
          assert.equal(exam.status, "draft");
          assert.deepEqual(exam.blueprint.counts, { multiple_choice: 2, true_false: 2, short_answer: 1 });
          assert.deepEqual(exam.blueprint.objectives, ["Solve a system by the elimination method"]);
          await page.getByRole("region", { name: "Learning objectives" }).getByText(
            "Solve a system by the elimination method",
          ).waitFor();
          assert.equal(
            exam.blueprint.documentIds.length,
            1,
            "the ticked document is the blueprint's coverage",
          );
          assert.equal(
            await page.getByRole("listitem", { name: /^Item \d+$/ }).count(),
            exam.items.length,
            "every item is on the page",
          );
          // Each generated item sits beside the passage its key cites.
          const cited = exam.items.filter((i: { citations: unknown[] }) => i.citations.length > 0).length;
          assert.ok(cited > 0, "generated items cite the material");
          assert.equal(await page.getByText(/^From “notes(\.md)?”, page \d+$/).count(), cited);
          const first = page.getByRole("complementary", { name: "Source of item 1" });
          assert.equal(
            (await first.locator("blockquote").innerText()).trim(),
            exam.items[0].citations[0].quote.trim(),
          );
        },
      );

      await step("she regenerates the last item and reads the whole passage beside it", async () => {
        const before = await call(stack, staffToken, "GET", `/exams/${examId}`);
        const index = before.items.length - 1;
        const old = before.items[index];
        const n = index + 1;
        await page.getByRole("button", { name: `Regenerate item ${n}` }).click();
        const card = page.getByRole("listitem", { name: `Item ${n}` });
        await card.getByText(old.question, { exact: true }).waitFor({ state: "detached", timeout: 60_000 });
        const after = await call(stack, staffToken, "GET", `/exams/${examId}`);
        const fresh = after.items[index];
        assert.equal(fresh.id, old.id, "replaced in place");
        assert.equal(fresh.type, old.type, "of the same kind");
        assert.notEqual(fresh.question, old.question);
        const quotes = before.items.map((i: { citations: { quote: string }[] }) => i.citations[0]?.quote);
        assert.ok(!quotes.includes(fresh.citations[0].quote), "a sentence no item tested before");
        await card.getByText(fresh.question, { exact: true }).waitFor();

        await page.getByRole("button", { name: `Show the whole passage of item ${n}` }).click();
        const whole = page.getByRole("region", { name: `Whole passage of item ${n}` });
        await whole.waitFor();
        assert.equal((await whole.locator("mark").innerText()).trim(), fresh.citations[0].quote.trim());
        const [chunk] = await stack.database.db.select().from(documentChunks).where(
          eq(documentChunks.id, fresh.citations[0].chunkId),
        );
        assert.ok(
          chunk.text.replace(/\s+/g, " ").includes(
            (await whole.innerText()).replace(/\s+/g, " ").trim().slice(-40),
          ),
          "the region shows the cited chunk's text",
        );
      });

      await step("she edits one item and adds a short answer by hand", async () => {
        await page.getByRole("button", { name: "Edit item 1" }).click();
        const question = page.getByRole("group", { name: "Editing item 1" }).getByLabel("Question");
        await question.fill("Edited: which statement about simultaneous equations is right?");
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByText("Edited: which statement about simultaneous equations is right?").waitFor();
        const exam = await call(stack, staffToken, "GET", `/exams/${examId}`);
        assert.equal(
          exam.items[0].question,
          "Edited: which statement about simultaneous equations is right?",
        );

        const before = exam.items.length;
        await page.getByRole("button", { name: "Add an item by hand" }).click();
        const form = page.getByRole("group", { name: "Add an item by hand" });
        await form.getByLabel("Kind").selectOption("short_answer");
        await form.getByLabel("Question").fill(HAND_QUESTION);
        await form.getByLabel("Key", { exact: true }).fill("elimination method");
        await form.getByLabel("Explanation (shown with the results)").fill(
          "Adding or subtracting cancels one.",
        );
        await page.getByRole("button", { name: "Save" }).click();
        await page.getByRole("heading", { name: `Items (${before + 1})` }).waitFor();
        await page.getByText("Written by hand: no cited passage.").waitFor();
        await assertAccessible(page, "exam authoring");
        await page.evaluate(() => scrollTo(0, 0));
        await screenshot(page, "exam-authoring-en");
      });

      await step("she publishes; releasing before closing is refused with the server's reason", async () => {
        await page.getByLabel("Time limit (minutes)").fill("30");
        await page.getByRole("button", { name: "Publish" }).click();
        await page.getByText("Published", { exact: true }).waitFor();
        assert.equal(await page.getByRole("button", { name: "Edit item 1" }).count(), 0, "items are locked");
        await page.getByRole("button", { name: "Release the results" }).click();
        const alert = page.getByRole("alert").filter({ hasText: "The server refused" });
        await alert.getByText("The server refused: Exam is published, not closed").waitFor();
        await alert.getByText("Results can be released only once the exam is closed: close it first.")
          .waitFor();
        const exam = await call(stack, staffToken, "GET", `/exams/${examId}`);
        assert.equal(exam.status, "published");
        assert.equal(exam.timeLimitMinutes, 30);
      });

      // A student sits the exam through the API: the keys of choice items except the first, and a partial
      // answer to the hand-written short answer (the offline grader gives half credit and flags it).
      const studentToken = await stack.login(studentEmail, PASSWORD);
      const items: ExamItem[] = (await call(stack, staffToken, "GET", `/exams/${examId}`)).items;
      const attempt = await call(stack, studentToken, "POST", `/exams/${examId}/attempts`);
      const choice = items.filter((i) => i.options.length > 0);
      const wrongPick = choice[0].options.find((o) => o !== choice[0].answerKey)!;
      await call(stack, studentToken, "PUT", `/attempts/${attempt.id}/answers`, {
        answers: items.map((i) => ({
          itemId: i.id,
          answer: i.question === HAND_QUESTION
            ? "elimination"
            : i.id === choice[0].id
            ? wrongPick
            : i.answerKey,
        })),
      });
      await call(stack, studentToken, "POST", `/attempts/${attempt.id}/submit`);
      for (let i = 0; i < 300; i++) {
        const [row] = await stack.database.db.select({ status: examAttempts.status }).from(examAttempts)
          .where(eq(examAttempts.id, attempt.id));
        if (row?.status === "graded") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const hand = items.find((i) => i.question === HAND_QUESTION)!;

      await step("she closes the exam and overrides the unsure short answer with a reason", async () => {
        await page.getByRole("button", { name: "Close the exam" }).click();
        await page.getByText("Closed", { exact: true }).waitFor();
        const card = page.getByRole("listitem", { name: `Answer to: ${HAND_QUESTION}` });
        await card.waitFor();
        await card.getByText("Grader's reasoning").waitFor();
        await card.getByText("0.5 of 1").waitFor();
        await card.getByLabel("New score (0 to 1)").fill("1");
        await card.getByLabel("Reason for the change").fill("Naming the elimination is enough here.");
        await card.getByRole("button", { name: "Override the grade" }).click();
        await card.getByText("Grade set to 1 of 1.").waitFor();
        const [answer] = await stack.database.db.select().from(attemptAnswers).where(
          and(eq(attemptAnswers.attemptId, attempt.id), eq(attemptAnswers.itemId, hand.id)),
        );
        assert.equal(answer.score, 1);
        assert.equal(answer.gradedBy, "instructor");
        assert.equal(answer.justification, "Naming the elimination is enough here.");
        const audited = await stack.database.db.select().from(auditEvents)
          .where(eq(auditEvents.target, `answer:${answer.id}`));
        assert.equal(audited[0]?.action, "exam.grade_override");
        // While the exam is closed the results and statistics are already there for her.
        await page.locator("table.item-stats").waitFor();
        await assertAccessible(page, "exam grading");
        await page.getByRole("heading", { name: "Answers to review" }).evaluate((h) => h.scrollIntoView());
        await screenshot(page, "exam-grading-en");
      });

      await step("she releases the results and reads them per student and per item", async () => {
        await page.getByRole("button", { name: "Release the results" }).click();
        await page.getByText("Results released", { exact: true }).waitFor();
        const results = await call(stack, staffToken, "GET", `/exams/${examId}/results`);
        const students = page.getByRole("table").filter({ hasText: studentEmail });
        await students.getByText(`${results.attempts[0].score} of ${results.attempts[0].maxScore}`).waitFor();
        // She picked a wrong option on the first choice item and the key elsewhere: the table says so.
        const stats = page.locator("table.item-stats");
        await stats.waitFor();
        const firstIndex = items.findIndex((i) => i.id === choice[0].id) + 1;
        const row = stats.getByRole("row", { name: new RegExp(`^Item ${firstIndex}\\b`) });
        await row.getByRole("cell", { name: "0%", exact: true }).waitFor();
        await row.getByText(`${wrongPick}: 1`, { exact: true }).waitFor();
        await row.getByText(`${choice[0].answerKey}: 0 (Key)`, { exact: true }).waitFor();
        assert.equal(await stats.getByRole("row").count(), items.length + 1, "a row per item");
        await page.getByRole("figure").filter({ hasText: "Share of points scored per item" }).locator("svg")
          .waitFor();
        await assertAccessible(page, "released exam's statistics");
        const [dbItem] = await stack.database.db.select().from(examItems).where(eq(examItems.id, hand.id));
        assert.equal(dbItem.answerKey, "elimination method");
      });

      await step("in Arabic the authoring and grading screens turn right-to-left", async () => {
        await page.getByRole("button", { name: "العربية" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
        await page.getByRole("heading", { name: "إحصاءات الأسئلة" }).waitFor();
        await assertAccessible(page, "exam grading (Arabic)");
        // The items beside their passages, and the grading, as an Arabic-speaking academic reads them.
        await page.getByRole("heading", { name: "نواتج التعلّم" }).waitFor();
        await page.evaluate(() => scrollTo(0, 0));
        await screenshot(page, "exam-authoring-ar");
        await page.getByRole("heading", { name: "إحصاءات الأسئلة" }).evaluate((h) => h.scrollIntoView());
        await screenshot(page, "exam-grading-ar");
      });
    } finally {
      await close();
    }
  },
});
