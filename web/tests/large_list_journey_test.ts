/**
 * A list screen at scale in Chromium against the real stack: with 10,000 accounts the admin's user directory shows
 * its first page promptly and holds one page (25 rows) at a time, fetching the next by the API's cursor; in Arabic
 * the directory turns right-to-left (screenshot).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { newTotpSecret, totpCodeFor } from "../../core/auth/totp.ts";
import { users } from "../../shared/db/schema/users.ts";
import { launchBrowser } from "./browser.ts";
import { assertAccessible, screenshot } from "./page_checks.ts";
import { startWebStack } from "./stack.ts";

const PASSWORD = "correct horse battery";
const ROWS = 10_000;

Deno.test({
  name: "[web] with 10,000 accounts the user directory shows its first page promptly and pages by cursor",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const stack = await startWebStack();
    const browser = await launchBrowser();
    const page = await browser.context.newPage();
    try {
      const tag = crypto.randomUUID().slice(0, 8);
      for (let start = 0; start < ROWS; start += 1000) {
        await stack.database.db.insert(users).values(
          Array.from({ length: 1000 }, (_, i) => ({
            email: `student-${String(start + i).padStart(5, "0")}-${tag}@uni.example`,
            role: "STUDENT" as const,
            displayName: `Student ${start + i}`,
          })),
        );
      }
      const adminEmail = `registrar-${tag}@uni.example`;
      const adminId = await stack.register(adminEmail, PASSWORD, "Registrar");
      const { secret } = newTotpSecret("AI Teacher", adminEmail);
      await stack.database.db.update(users).set({
        role: "ADMIN",
        totpSecret: secret,
        totpEnabledAt: new Date(),
      })
        .where(eq(users.id, adminId));

      await t.step("the first page of 25 shows promptly, and the next 25 come by the cursor", async () => {
        await page.goto(`${stack.url}/sign-in`);
        await page.getByLabel("Email").fill(adminEmail);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByLabel("Six-digit code from your authenticator app").fill(totpCodeFor(secret));
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("heading", { name: "My courses" }).waitFor();

        const requests: string[] = [];
        page.on("request", (r) => {
          if (new URL(r.url()).pathname === "/api/v1/users") requests.push(r.url());
        });
        const started = performance.now();
        await page.getByRole("link", { name: "Users" }).click();
        const rows = page.locator("table.data tbody tr");
        await rows.first().waitFor();
        const firstPageMs = performance.now() - started;
        console.log(`10k directory: first page on screen in ${firstPageMs.toFixed(0)} ms`);
        assert.ok(firstPageMs < 5_000, `first page after ${firstPageMs} ms`);
        assert.equal(await rows.count(), 25, "one page, never the whole directory");
        assert.equal(requests.length, 1);
        assert.equal(new URL(requests[0]).searchParams.get("limit"), "25");
        assert.equal(new URL(requests[0]).searchParams.get("cursor"), null);

        await page.getByRole("button", { name: "Show more" }).click();
        await rows.nth(49).waitFor();
        assert.equal(await rows.count(), 50);
        assert.ok(new URL(requests.at(-1)!).searchParams.get("cursor"), "the next page asks by cursor");
        const emails = await page.locator("table.data tbody th").allInnerTexts();
        assert.equal(new Set(emails).size, 50, "no row twice");
        assert.deepEqual(emails, emails.toSorted(), "in email order across the two pages");
        await assertAccessible(page, "user directory, 10,000 accounts");
      });

      await t.step("in Arabic the directory turns right-to-left", async () => {
        await page.getByRole("button", { name: "العربية" }).click();
        await page.waitForFunction(() => document.documentElement.dir === "rtl", null, { timeout: 10_000 });
        await page.getByRole("heading", { name: "المستخدمون" }).waitFor();
        await assertAccessible(page, "user directory (Arabic)");
        await page.evaluate(() => scrollTo(0, 0));
        await screenshot(page, "admin-users-ar");
        await page.getByRole("button", { name: "English" }).click();
      });
      await page.close();
    } finally {
      await browser.close();
      await stack.close();
    }
  },
});
