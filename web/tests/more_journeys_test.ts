/**
 * More journeys in Chromium against the real stack: the sign-in page offers only the external sign-in this
 * deployment configured; an academic reads and clears notifications, re-indexes and deletes a document; a student
 * saves her profile (name, language) and finds it applied after a reload and on a new browser, searches her course's
 * documents, gets Markdown and math rendered while HTML in a document (its text and its title) stays inert, opens
 * each cited PDF page with its passage highlighted, and turns on two-factor sign-in and signs in with a code.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { totpCodeFor } from "../../core/auth/totp.ts";
import { askTutor, PASSWORD, signIn, startJourney } from "./helpers.ts";
import { assertAccessible } from "./page_checks.ts";

const PDF =
  new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url).pathname;
/** A document title that is HTML: it must be shown as these characters, never parsed. */
const HOSTILE_TITLE = `<img src=x onerror="window.__pwned='title'">Circles`;
const CIRCLES = `# Circles

The circle equation $x^2 + y^2 = r^2$ holds for every point of a circle of radius r around the origin.

The area of a circle is $\\pi r^2$ square units <img src=x onerror="window.__pwned='answer'"> for radius r.

<script>window.__pwned = 'document'</script>
`;
const SPARE = "# Spare notes\n\nThese spare notes about matrices will be deleted by the academic.\n";

async function signOut(page: Page) {
  await page.getByRole("button", { name: /^(Sign out|تسجيل الخروج)$/ }).click();
  await page.getByRole("heading", { name: /^(Sign in to AI Teacher|سجّل الدخول إلى المعلّم الذكي)$/ })
    .waitFor();
}

Deno.test({
  name:
    "[web] profile, notifications, search, document upkeep, safe Markdown and math, cited pages, TOTP sign-in",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const { stack, page, step, close } = await startJourney(t, {
      GOOGLE_CLIENT_ID: "web-test.apps.googleusercontent.com",
      OIDC_PROVIDERS: JSON.stringify([{
        id: "uni",
        name: "University SSO",
        issuer: "http://127.0.0.1:9/",
        clientId: "web-test",
      }]),
    });
    try {
      const course = await stack.createCourse("Geometry and Algebra");
      const academicEmail = `academic-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      await stack.makeInstructor(await stack.register(academicEmail, PASSWORD, "Dr. Noor"), course);
      const studentEmail = `student-${crypto.randomUUID().slice(0, 8)}@uni.example`;
      await stack.enrol(await stack.register(studentEmail, PASSWORD, "Sami"), course.id);
      const token = await stack.login(academicEmail, PASSWORD);
      const encode = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
      await stack.addDocument(token, course.id, `${HOSTILE_TITLE}.md`, encode(CIRCLES));
      await stack.addDocument(token, course.id, "spare-notes.md", encode(SPARE));
      await stack.addDocument(token, course.id, "simultaneous.pdf", await Deno.readFile(PDF));

      await step("the sign-in page offers Google and the institution's sign-in, as configured", async () => {
        await page.goto(`${stack.url}/sign-in`);
        const external = page.getByRole("region", { name: "Other ways to sign in" });
        await external.getByRole("button", { name: "Sign in with Google" }).waitFor();
        await external.getByRole("button", { name: "Sign in with University SSO" }).waitFor();
        await assertAccessible(page, "sign in with external providers");
      });

      await step("an academic sees unread notifications and marks one read", async () => {
        await signIn(page, stack.url, academicEmail);
        // The ingestion notices (one per document) are delivered by a job: wait for the third.
        const unreadCount = async () => {
          const label = await page.getByRole("link", { name: /^Notifications/ }).getAttribute("aria-label");
          return Number(label?.match(/(\d+) unread/)?.[1] ?? 0);
        };
        for (let i = 0; i < 30 && (await unreadCount()) < 3; i++) {
          await page.waitForTimeout(1000);
          await page.reload();
          await page.getByRole("heading", { name: "My courses" }).waitFor();
        }
        const unread = await unreadCount();
        assert.ok(unread >= 3, `three documents, three notices (saw ${unread})`);
        await page.getByRole("link", { name: `Notifications, ${unread} unread` }).click();
        await page.getByRole("heading", { name: "Notifications" }).waitFor();
        await page.getByRole("heading", { name: /"spare-notes" is ready/ }).waitFor();
        assert.equal(await page.getByRole("button", { name: "Mark as read" }).count(), unread);
        await page.getByRole("button", { name: "Mark as read" }).first().click();
        await page.getByRole("link", { name: `Notifications, ${unread - 1} unread` }).waitFor();
        assert.equal(await page.getByRole("button", { name: "Mark as read" }).count(), unread - 1);
        await assertAccessible(page, "notifications");
      });

      await step(
        "she re-indexes one document and deletes another; the hostile title stays text",
        async () => {
          await page.getByRole("link", { name: "My courses" }).click();
          await page.getByRole("link", { name: "Geometry and Algebra" }).click();
          await page.getByRole("link", { name: "Documents" }).click();
          const hostile = page.getByRole("row").filter({ hasText: HOSTILE_TITLE });
          await hostile.getByText("Ready").waitFor();
          const reindexed = page.waitForResponse((r) =>
            r.url().endsWith("/reindex") && r.request().method() === "POST"
          );
          await hostile.getByRole("button", { name: `Re-index ${HOSTILE_TITLE}` }).click();
          assert.ok((await reindexed).ok(), "the re-index was accepted");
          await hostile.getByText("Ready").waitFor({ timeout: 60_000 });

          page.once("dialog", (dialog) => dialog.accept());
          await page.getByRole("button", { name: "Delete spare-notes" }).click();
          await page.getByRole("row").filter({ hasText: "spare-notes" }).waitFor({ state: "detached" });
          assert.equal(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned), undefined);
          await signOut(page);
        },
      );

      await step(
        "a student saves her name and Arabic; both hold after a reload and on a new browser",
        async () => {
          await signIn(page, stack.url, studentEmail);
          await page.getByRole("link", { name: "Profile" }).click();
          await page.getByLabel("Full name").fill("Sami Haddad");
          await page.getByRole("radio", { name: "العربية" }).check();
          await page.getByRole("button", { name: "Save" }).click();
          await page.getByRole("status").filter({ hasText: "تم الحفظ." }).waitFor();
          assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
          await page.reload();
          await page.getByRole("heading", { name: "ملفك الشخصي" }).waitFor();
          assert.equal(await page.locator("html").getAttribute("lang"), "ar");
          assert.equal(await page.getByLabel("الاسم الكامل").inputValue(), "Sami Haddad");
          // A new browser: nothing stored locally, the profile's language applies at sign-in.
          await signOut(page);
          await page.evaluate(() => localStorage.clear());
          await page.getByRole("button", { name: "English" }).click();
          await signIn(page, stack.url, studentEmail);
          await page.waitForFunction(() => document.documentElement.lang === "ar");
          await page.getByRole("button", { name: "English" }).click();
          await page.getByRole("heading", { name: "My courses" }).waitFor();
        },
      );

      await step("she searches the course's documents", async () => {
        await page.getByRole("link", { name: "Geometry and Algebra" }).click();
        await page.getByRole("link", { name: "Search" }).click();
        await page.getByLabel("Search for").fill("circle equation radius");
        await page.getByRole("button", { name: "Search", exact: true }).click();
        const first = page.locator("ol.results > li").first();
        await first.waitFor();
        assert.match(await first.innerText(), /circle equation/i);
        assert.ok((await first.innerText()).includes(HOSTILE_TITLE), "the title shows as its characters");
        assert.equal(
          await page.getByText("spare notes about matrices").count(),
          0,
          "deleted documents are gone",
        );
        await assertAccessible(page, "search");
      });

      await step("an answer renders its math with KaTeX and runs none of the material's HTML", async () => {
        await page.getByRole("link", { name: "Tutor" }).click();
        const equation = await askTutor(page, "What is the circle equation for a circle of radius r?");
        await equation.locator(".katex").first().waitFor({ timeout: 10_000 });
        const area = await askTutor(page, "What is the area of a circle of radius r?");
        await area.locator(".katex").first().waitFor({ timeout: 10_000 });
        for (const answer of [equation, area]) {
          assert.equal(await answer.locator("script, [onerror]").count(), 0);
          assert.ok((await answer.getByRole("button", { name: /^Open source \d+: / }).count()) > 0);
        }
        const chip = area.getByRole("button", { name: /^Open source \d+: / }).first();
        assert.ok((await chip.getAttribute("aria-label") ?? await chip.innerText()).includes("<img"));
        await page.waitForTimeout(500);
        assert.equal(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned), undefined);
        await assertAccessible(page, "chat with math");
      });

      await step("each cited PDF page it opens holds the quoted passage, highlighted", async () => {
        const answer = await askTutor(page, "How do you solve simultaneous equations by elimination?");
        const chips = answer.getByRole("button", { name: /^Open source \d+: .*page \d+/ });
        const count = await chips.count();
        assert.ok(count > 0, "the answer cites PDF pages");
        for (let i = 0; i < count; i++) {
          const label = await chips.nth(i).getAttribute("aria-label") ?? await chips.nth(i).innerText();
          await chips.nth(i).click();
          const dialog = page.getByRole("dialog");
          await dialog.getByRole("heading", { name: /^Source: / }).waitFor();
          await dialog.locator(".textLayer .highlight").first().waitFor({ timeout: 30_000 });
          // The page drawn is the one the citation names: core found the quote's page, the viewer had no need to look.
          const shown = await dialog.locator("canvas").getAttribute("aria-label");
          assert.equal(shown?.match(/\d+/)?.[0], label.match(/page (\d+)/)?.[1], `${label} drew ${shown}`);
          await page.keyboard.press("Escape");
          await dialog.waitFor({ state: "hidden" });
        }
      });

      await step("she turns on two-factor sign-in and then signs in with a code", async () => {
        await page.getByRole("link", { name: "Profile" }).click();
        await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
        await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
        const secret = (await page.locator("code.secret").innerText()).trim();
        const enrolledAt = Date.now();
        await page.getByLabel("Six-digit code the app shows now").fill(totpCodeFor(secret, enrolledAt));
        await assertAccessible(page, "two-factor enrolment");
        await page.getByRole("button", { name: "Confirm and turn on" }).click();
        await page.getByRole("status").filter({ hasText: "Two-factor sign-in is now on." }).waitFor();
        await signOut(page);
        // The next 30-second step: a code already used is refused.
        await signIn(page, stack.url, studentEmail, () => totpCodeFor(secret, enrolledAt + 30_000));
        await assertAccessible(page, "my courses after two-factor sign-in");
      });
    } finally {
      await close();
    }
  },
});
