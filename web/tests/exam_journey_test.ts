/**
 * A student takes an exam in Chromium against the real stack (edge, core, workers; offline exam generator and
 * grader): an academic's exam is generated from a short Markdown note and published through the API; the student
 * opens it from the course page, answers, reloads half-way and finds her answers kept, loses the network and sees
 * them kept and then saved, reads the form in Arabic, submits after a confirm step, sees "not released yet", and
 * after the academic closes and releases the exam reads her score, each item's verdict and the cited passage; on a
 * second exam her time runs out and the page shows the server's automatic submission.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { attemptAnswers, examAttempts } from "../../shared/db/schema/exams.ts";
import { call, EQUATIONS_NOTE, type ExamItem, PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";
import type { WebStack } from "./stack.ts";

/** Generates a draft exam from the course's material; returns its id and its items with keys. */
async function draftExam(stack: WebStack, token: string, courseId: string, title: string) {
  const { examId } = await call(stack, token, "POST", `/courses/${courseId}/exams`, {
    title,
    blueprint: { counts: { multiple_choice: 2, true_false: 2, short_answer: 1 }, language: "en" },
  });
  let exam: { status: string; note?: string; items: ExamItem[] } | undefined;
  for (let i = 0; i < 300; i++) {
    exam = await call(stack, token, "GET", `/exams/${examId}`);
    if (exam!.status === "draft") break;
    if (exam!.status === "failed") throw new Error(`exam generation failed: ${exam!.note}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(exam?.status, "draft", "the exam was generated");
  return { examId, items: exam!.items };
}

/** Generates "Quiz 1", adds a fill-in item and publishes it for an hour with a 30-minute limit. */
async function publishedExam(stack: WebStack, token: string, courseId: string) {
  const { examId, items } = await draftExam(stack, token, courseId, "Quiz 1");
  // A fill-in-the-blank short answer written by the academic, so every kind of item is on the form.
  const added = await call(stack, token, "POST", `/exams/${examId}/items`, {
    type: "short_answer",
    question:
      "The method that adds or subtracts the equations so that one variable cancels out is called _____.",
    options: [],
    answerKey: "elimination",
    explanation: "Adding or subtracting the equations eliminates one variable.",
  });
  await call(stack, token, "POST", `/exams/${examId}/publish`, {
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    timeLimitMinutes: 30,
  });
  return { examId, items: [...items, added] };
}

function escaped(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

/** Answers one item on the page: the key for choice items, `text` for a short answer. */
async function answer(page: Page, item: ExamItem, text: string) {
  if (item.type === "short_answer") {
    await page.getByRole("textbox", { name: item.question, exact: true }).fill(text);
  } else {
    await page.getByRole("group", { name: escaped(item.question) }).getByLabel(item.answerKey, {
      exact: true,
    })
      .check();
  }
}

async function assertAnswered(page: Page, item: ExamItem, text: string) {
  if (item.type === "short_answer") {
    assert.equal(await page.getByRole("textbox", { name: item.question, exact: true }).inputValue(), text);
  } else {
    const option = page.getByRole("group", { name: escaped(item.question) }).getByLabel(item.answerKey, {
      exact: true,
    });
    assert.ok(await option.isChecked(), `"${item.answerKey}" is still chosen for "${item.question}"`);
  }
}

Deno.test({
  name:
    "[web] a student takes an exam: answers autosave across a reload and an outage, she submits, and reads " +
    "her released results",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { stack, browser, page, step, close } = await startJourney(t);
    try {
      const course = await stack.createCourse("Simultaneous Equations");
      const academicEmail = `academic-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      await stack.makeInstructor(await stack.register(academicEmail, PASSWORD, "Dr. Felder"), course);
      const staffToken = await stack.login(academicEmail, PASSWORD);
      await stack.addDocument(staffToken, course.id, "notes.md", new TextEncoder().encode(EQUATIONS_NOTE));
      const { examId, items } = await publishedExam(stack, staffToken, course.id);
      assert.ok(items.length >= 3, `at least three items (got ${items.length})`);
      assert.deepEqual(
        new Set(items.map((i) => i.type)),
        new Set(["multiple_choice", "true_false", "short_answer"]),
        "every kind of item",
      );
      const studentEmail = `student-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      const studentId = await stack.register(studentEmail, PASSWORD, "Layla");
      await stack.enrol(studentId, course.id);
      const shortAnswer = (item: ExamItem) => item.type === "short_answer" ? item.answerKey : "";
      const half = Math.ceil(items.length / 2);

      await step("she finds the open exam on the course page and starts it", async () => {
        await signIn(page, stack.url, studentEmail);
        await page.getByRole("link", { name: "Simultaneous Equations" }).click();
        await page.getByRole("link", { name: "Exams" }).click();
        const card = page.getByRole("listitem").filter({ hasText: "Quiz 1" });
        await card.getByText("Open", { exact: true }).waitFor();
        await assertAccessible(page, "course exams");
        await card.getByRole("link", { name: "Quiz 1" }).click();
        await page.getByRole("heading", { name: "Quiz 1" }).waitFor();
        await page.getByText("Time limit: 30 minutes").waitFor();
        await page.getByRole("button", { name: "Start the exam" }).click();
        await page.getByRole("timer").waitFor();
        // The countdown runs on the server's clock from the 30 minutes the server gave.
        const [minutes, seconds] = (await page.getByRole("timer").innerText()).split(":").map(Number);
        const left = minutes * 60 + seconds;
        assert.ok(left <= 30 * 60 && left > 29 * 60, `${minutes}:${seconds} left at the start`);
      });

      await step(
        "the keyboard alone reaches the first answer and chooses it, with focus visible",
        async () => {
          const inForm = () => page.evaluate(() => !!document.activeElement?.closest("form.exam-form"));
          for (let i = 0; i < 30 && !(await inForm()); i++) await page.keyboard.press("Tab");
          assert.ok(await inForm(), "Tab reaches the exam form");
          assert.ok(
            await page.evaluate(() => document.activeElement!.matches(":focus-visible")),
            "focus is shown",
          );
          const focused = await page.evaluate(() => (document.activeElement as HTMLInputElement).type);
          if (focused === "radio") {
            await page.keyboard.press("Space");
            assert.ok(await page.evaluate(() => (document.activeElement as HTMLInputElement).checked));
          } else {
            await page.keyboard.type("x");
          }
          await page.getByText(/^All answers saved at /).waitFor();
        },
      );

      await step("her first answers are saved, and a reload brings them back", async () => {
        for (const item of items.slice(0, half)) await answer(page, item, shortAnswer(item));
        await page.getByText(/^All answers saved at /).waitFor();
        await page.reload();
        await page.getByRole("timer").waitFor();
        for (const item of items.slice(0, half)) await assertAnswered(page, item, shortAnswer(item));
        assert.equal(page.url(), `${stack.url}/courses/${course.id}/exams/${examId}`);
      });

      await step("offline, her next answers stay on the device and are saved once she is back", async () => {
        await browser.context.setOffline(true);
        for (const item of items.slice(half)) await answer(page, item, shortAnswer(item));
        await page.getByText(/^You are offline\./).waitFor({ timeout: 15_000 });
        await browser.context.setOffline(false);
        await page.getByText(/^All answers saved at /).waitFor({ timeout: 15_000 });
        const saved = await call(
          stack,
          await stack.login(studentEmail, PASSWORD),
          "GET",
          `/me/exam-attempts?examId=${examId}`,
        );
        assert.equal(saved.items[0].status, "in_progress");
        for (const item of items) await assertAnswered(page, item, shortAnswer(item));
        await assertAccessible(page, "exam form");
        await page.evaluate(() => scrollTo(0, 0));
        await screenshot(page, "exam-take-en");
      });

      await step("in Arabic the exam form turns right-to-left", async () => {
        await page.getByRole("button", { name: "العربية" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
        await page.getByText("الوقت المتبقي").waitFor();
        await page.getByRole("button", { name: "سلّم الاختبار" }).waitFor();
        await assertAccessible(page, "exam form (Arabic)");
        await page.evaluate(() => scrollTo(0, 0));
        await screenshot(page, "exam-take-ar");
        await page.getByRole("button", { name: "English" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "ltr", null, { timeout: 10_000 });
      });

      await step("she submits after a confirm step and is told results are not released yet", async () => {
        await page.getByRole("button", { name: "Submit the exam" }).click();
        await page.getByRole("heading", { name: "Submit your answers?" }).waitFor();
        await page.getByText("Every question is answered.").waitFor();
        await page.getByRole("button", { name: "Yes, submit" }).click();
        await page.getByText("Submitted. Results are not released yet.").waitFor();
        assert.equal(await page.getByRole("timer").count(), 0);
        assert.equal(
          await page.evaluate(() => document.activeElement?.id),
          "page-title",
          "focus back at the top",
        );
        await assertAccessible(page, "exam submitted");
      });

      await step("once the academic releases the results she reads her score and feedback", async () => {
        for (let i = 0; i < 300; i++) {
          const [row] = await stack.database.db.select({ status: examAttempts.status }).from(examAttempts)
            .where(eq(examAttempts.examId, examId));
          if (row?.status === "graded") break;
          await new Promise((r) => setTimeout(r, 200));
        }
        await call(stack, staffToken, "POST", `/exams/${examId}/close`);
        await call(stack, staffToken, "POST", `/exams/${examId}/release`);
        await page.reload();
        await page.getByText(/^Your score: \d+ of \d+ \(\d+%\)$/).waitFor();
        // She answered every item with its key, so every item is marked correct, in words.
        assert.equal(await page.getByText("Correct", { exact: true }).count(), items.length);
        assert.ok(
          (await page.getByText(/^From your course material/).count()) > 0,
          "the cited passage is shown",
        );
        await assertAccessible(page, "exam results");
        await screenshot(page, "exam-results-en");
        await page.getByRole("link", { name: "Back to the course's exams" }).click();
        await page.getByRole("listitem").filter({ hasText: "Quiz 1" }).getByText("Results released")
          .waitFor();
      });
      await step("when time runs out the server submits her saved answers and the page says so", async () => {
        const quiz2 = await draftExam(stack, staffToken, course.id, "Quiz 2");
        // No time limit: the window's close (25 s from now, no late submissions) is the attempt's deadline.
        await call(stack, staffToken, "POST", `/exams/${quiz2.examId}/publish`, {
          closesAt: new Date(Date.now() + 25_000).toISOString(),
        });
        await page.goto(`${stack.url}/courses/${course.id}/exams/${quiz2.examId}`);
        await page.getByRole("button", { name: "Start the exam" }).click();
        await page.getByRole("timer").waitFor();
        await answer(page, quiz2.items[0], shortAnswer(quiz2.items[0]));
        await page.getByText(/^All answers saved at /).waitFor();
        await page.getByText("Time is up. Your saved answers have been submitted.").waitFor({
          timeout: 60_000,
        });
        await page.getByText("Your time ran out, so your saved answers were submitted for you.")
          .waitFor({ timeout: 30_000 });
        await page.getByText("Submitted. Results are not released yet.").waitFor();
        const [row] = await stack.database.db.select().from(examAttempts)
          .where(eq(examAttempts.examId, quiz2.examId));
        assert.equal(row.submitKind, "auto");
        const saved = await stack.database.db.select().from(attemptAnswers)
          .where(eq(attemptAnswers.attemptId, row.id));
        // Grading writes a row for every item; the one she answered holds her saved answer.
        const answered = saved.filter((a) => a.answer);
        assert.deepEqual(
          answered.map((a) => a.itemId),
          [quiz2.items[0].id],
          "her one saved answer was submitted",
        );
        await assertAccessible(page, "exam submitted at the deadline");
      });
    } finally {
      await close();
    }
  },
});
