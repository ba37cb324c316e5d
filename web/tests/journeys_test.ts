/**
 * The web app's journeys in Chromium against the real stack (edge, core, workers; offline tutor and embedder):
 * an academic uploads a real PDF and watches it become ready; a student registers, is enrolled, asks in English
 * and in Arabic, sees a streamed cited answer, opens a citation at its highlighted page, and gets a refusal for an
 * off-material question. Every page is checked with axe-core; screenshots go to docs/screenshots/.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { askTutor, PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";

const PDF =
  new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url).pathname;
const ARABIC_NOTES = `# المعادلات الآنية

المعادلات الآنية مجموعة من المعادلات تُحل معًا لإيجاد قيم المتغيرات التي تحققها كلها في الوقت نفسه.

طريقة التعويض: نحل إحدى المعادلتين لإيجاد أحد المتغيرين، ثم نعوّض قيمته في المعادلة الأخرى.

طريقة الحذف: نجمع المعادلتين أو نطرح إحداهما من الأخرى حتى يختفي أحد المتغيرين.
`;

Deno.test({
  name: "[web] an academic uploads a PDF that becomes ready; a student asks in English and Arabic, opens a " +
    "cited page and is refused off-material",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    // Access tokens live 30 s (the shortest allowed), so the journey also crosses token renewals.
    const { stack, browser, page, step, close } = await startJourney(t, { ACCESS_TOKEN_TTL_SECONDS: "30" });
    try {
      const course = await stack.createCourse("Simultaneous Equations");
      const academicEmail = `academic-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      const academicId = await stack.register(academicEmail, PASSWORD, "Dr. Felder");
      await stack.makeInstructor(academicId, course);
      const studentEmail = `student-${crypto.randomUUID().slice(0, 8)}@uni.example`;

      await t.step("an academic signs in, drops a real PDF and watches it become ready", async () => {
        const page = await browser.context.newPage();
        await signIn(page, stack.url, academicEmail);
        await assertAccessible(page, "my courses (academic)");
        await page.getByRole("link", { name: "Simultaneous Equations" }).click();
        await page.getByRole("link", { name: "Documents" }).click();
        await page.getByText("Drop files here or choose them").waitFor();
        await page.getByLabel("Choose files").setInputFiles(PDF);
        const row = page.getByRole("row").filter({ hasText: "en_cnx_simultaneous_equations" });
        await row.waitFor({ timeout: 120_000 });
        await row.getByText("Ready").waitFor({ timeout: 180_000 });
        assert.match(await row.innerText(), /23 pages/);
        // A short Arabic note too, so the Arabic question has Arabic material to answer from.
        await page.getByLabel("Choose files").setInputFiles({
          name: "المعادلات-الآنية.md",
          mimeType: "text/markdown",
          buffer: Buffer.from(ARABIC_NOTES, "utf8"),
        });
        await page.getByRole("row").filter({ hasText: "المعادلات-الآنية.md" }).getByText("Ready")
          .waitFor({ timeout: 120_000 });
        await assertAccessible(page, "course documents");
        await screenshot(page, "documents-en");
        await page.close();
      });

      // The academic's session cookie must not leak into the student's: sign out first.
      await page.goto(stack.url);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to AI Teacher" }).waitFor();

      await step("a student registers and, once enrolled, finds the course", async () => {
        await assertAccessible(page, "sign in");
        await screenshot(page, "sign-in-en");
        await page.getByRole("link", { name: "Create an account" }).click();
        await page.getByLabel("Your name").fill("Layla");
        await page.getByLabel("Email").fill(studentEmail);
        await page.getByLabel("Password").fill(PASSWORD);
        await assertAccessible(page, "register");
        await page.getByRole("button", { name: "Create an account" }).click();
        await page.getByText("You are not enrolled in any course yet").waitFor();
        await stack.enrol(await stack.userIdOf(studentEmail), course.id);
        await page.reload();
        await page.getByRole("link", { name: "Simultaneous Equations" }).click();
        await page.getByRole("heading", { name: "Simultaneous Equations" }).waitFor();
      });

      await step("she asks in English and sees a streamed answer citing the PDF", async () => {
        const answer = await askTutor(page, "How do you solve simultaneous equations by elimination?");
        assert.equal(await answer.locator(".markdown").getAttribute("dir"), "auto");
        await answer.getByRole("button", { name: /^Open source \d+: / }).first().waitFor();
        const marks = await page.evaluate(() => performance.getEntriesByName("chat:first-token").length);
        assert.equal(marks, 1, "the first token was painted while the answer streamed");
        // Her daily quota (200 by default) shows what is left once the conversation exists.
        await page.getByText(/^\d+ of 200 questions left today$/).waitFor();
        await assertAccessible(page, "tutor chat");
        await screenshot(page, "chat-en");
      });

      await step("she opens a citation and sees the cited page with the passage highlighted", async () => {
        const answer = page.locator("li.message.assistant").last();
        await answer.getByRole("button", { name: /^Open source \d+: .*page \d+/ }).first().click();
        const dialog = page.getByRole("dialog");
        await dialog.getByRole("heading", { name: /^Source: / }).waitFor();
        await dialog.locator(".textLayer .highlight").first().waitFor({ timeout: 30_000 });
        assert.ok(await dialog.locator("canvas").isVisible());
        await assertAccessible(page, "citation viewer");
        await screenshot(page, "citation-en");
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "hidden" });
      });

      await step("an off-material question gets a plain refusal", async () => {
        const answer = await askTutor(page, "What is the boiling point of liquid nitrogen?");
        await answer.getByText("Not in your course material").waitFor();
        assert.equal(await answer.getByRole("button", { name: /^Open source/ }).count(), 0);
        await screenshot(page, "refusal-en");
      });

      await step("her learning summary lists what she covered and what her material left open", async () => {
        await page.getByText("Learning summary").click();
        await page.getByRole("heading", { name: "Topics covered" }).waitFor();
        const open = page.getByRole("heading", { name: "Questions your material did not answer" })
          .locator("xpath=following-sibling::*[1]");
        assert.match(await open.innerText(), /liquid nitrogen/);
        await assertAccessible(page, "learning summary");
      });

      await step(
        "in Arabic the page turns right-to-left and an Arabic question gets an Arabic answer",
        async () => {
          await page.getByRole("button", { name: "العربية" }).click();
          // The language applies on the next render; wait for it rather than read the attribute at once.
          await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
          assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
          assert.equal(await page.locator("html").getAttribute("lang"), "ar");
          await page.getByRole("button", { name: "محادثة جديدة" }).click();
          const answer = await askTutor(page, "ما هي طريقة التعويض في المعادلات الآنية؟", {
            input: "سؤالك",
            send: "إرسال",
          });
          assert.match(await answer.locator(".markdown").innerText(), /[\u0600-\u06ff]/);
          await answer.getByRole("button", { name: /^افتح المصدر \d+/ }).first().waitFor();
          await assertAccessible(page, "tutor chat (Arabic)");
          await screenshot(page, "chat-ar");
          await page.getByRole("link", { name: "مقرراتي" }).click();
          await page.getByRole("heading", { name: "مقرراتي" }).waitFor();
          await assertAccessible(page, "my courses (Arabic)");
          await screenshot(page, "courses-ar");
        },
      );

      await step("the keyboard alone reaches the question box and sends a question", async () => {
        await page.getByRole("link", { name: "Simultaneous Equations" }).click();
        await page.getByRole("heading", { name: "Simultaneous Equations" }).waitFor();
        const box = page.getByLabel("سؤالك");
        for (let i = 0; i < 40 && !(await box.evaluate((el) => el === document.activeElement)); i++) {
          await page.keyboard.press("Tab");
        }
        assert.ok(await box.evaluate((el) => el === document.activeElement), "Tab reaches the question box");
        await page.keyboard.type("What is substitution?");
        await page.keyboard.press("Enter");
        await page.locator("li.message.user").filter({ hasText: "What is substitution?" }).waitFor();
        await page.getByRole("button", { name: "إرسال" }).waitFor({ timeout: 60_000 });
      });
      await step(
        "after her access token expires, her next question goes through on a renewed one",
        async () => {
          const renewals: number[] = [];
          page.on("response", (res) => {
            if (res.url().endsWith("/api/v1/auth/refresh")) renewals.push(res.status());
          });
          // Past the token's 30 s and the edge's 5 s clock tolerance, with nothing on the page polling meanwhile.
          await page.waitForTimeout(37_000);
          const answer = await askTutor(page, "How do you solve simultaneous equations by substitution?", {
            input: "سؤالك",
            send: "إرسال",
          });
          await answer.locator(".markdown").filter({ hasText: /\S/ }).waitFor();
          assert.ok(renewals.includes(200), `a renewal succeeded (saw ${JSON.stringify(renewals)})`);
          assert.equal(await page.getByRole("heading", { name: "سجّل الدخول إلى المعلّم الذكي" }).count(), 0);
        },
      );
    } finally {
      await close();
    }
  },
});
