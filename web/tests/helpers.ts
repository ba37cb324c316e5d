/**
 * What the journeys share: their world (a fresh stack, a browser, a page, and steps that keep a screenshot of
 * the page when they fail); the password of their
 * accounts; signing in through the page (with a two-factor code when one is asked for); asking the tutor on the
 * chat page; calling the API as one account; and the course note the exam journeys generate their exams from.
 */
import type { Page } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { startWebStack, type WebStack } from "./stack.ts";

/** The password of every account a journey creates. */
export const PASSWORD = "correct horse battery";

/**
 * Signs `email` in on the sign-in page and waits for their courses (in English or Arabic). `code` answers the
 * two-factor check; it is called only once the check is on screen, so a code for "now" is fresh.
 */
export async function signIn(page: Page, url: string, email: string, code?: () => string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  if (code) {
    await page.getByRole("heading", { name: "Two-factor check" }).waitFor();
    await page.getByLabel("Six-digit code from your authenticator app").fill(code());
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }
  await page.getByRole("heading", { name: /^(My courses|مقرراتي)$/ }).waitFor();
}

/**
 * Starts a journey's world: a fresh stack (`env` adds or overrides configuration), a browser with one page, the
 * journey's steps on that page, and `close()` that stops them all.
 */
export async function startJourney(t: Deno.TestContext, env?: Record<string, string>) {
  const stack = await startWebStack(env);
  const browser = await launchBrowser().catch(async (err) => {
    await stack.close();
    throw err;
  });
  const page = await browser.context.newPage();
  return {
    stack,
    browser,
    page,
    step: journeyStep(t, page),
    async close() {
      await browser.close();
      await stack.close();
    },
  };
}

/** A journey's `t.step`: a failing step leaves a screenshot of what `page` showed, named in the error. */
function journeyStep(
  t: Deno.TestContext,
  page: Page,
): (name: string, fn: () => Promise<void>) => Promise<boolean> {
  return (name, fn) =>
    t.step(name, async () => {
      try {
        await fn();
      } catch (err) {
        const file = await Deno.makeTempFile({ prefix: "web-journey-failure-", suffix: ".png" });
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        throw new Error(`${err instanceof Error ? err.message : err}\n(page at failure: ${file})`);
      }
    });
}

/**
 * Asks the tutor on the chat page (labels in the page's language) and waits until the answer is complete; returns
 * the answer's list item.
 */
export async function askTutor(
  page: Page,
  question: string,
  labels: { input: string; send: string } = { input: "Your question", send: "Send" },
) {
  const before = await page.locator("li.message.assistant").count();
  await page.getByLabel(labels.input).fill(question);
  await page.getByRole("button", { name: labels.send }).click();
  const answer = page.locator("li.message.assistant").nth(before);
  await answer.locator(".markdown").filter({ hasText: /\S/ }).waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: labels.send }).waitFor({ timeout: 60_000 });
  return answer;
}

/** Calls the API as the holder of `token`; returns the JSON body (null for 204) and throws on any error status. */
export async function call(
  stack: WebStack,
  token: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${stack.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** An exam item as the staff's API shows it (with its key). */
export interface ExamItem {
  id: string;
  type: "multiple_choice" | "true_false" | "short_answer";
  question: string;
  options: string[];
  answerKey: string;
}

/** A short course note on simultaneous equations, with enough facts for the offline generator's five items. */
export const EQUATIONS_NOTE = `# Simultaneous equations

Simultaneous equations are two or more equations that share the same unknowns and are solved together.

The substitution method solves one equation for one variable and puts that expression into the other equation.

The elimination method adds or subtracts the equations so that one variable cancels out.

Graphing shows each equation as a line, and the solution is the point where the lines intersect.

Two parallel lines never intersect, so that system has no solution.

Gaussian elimination was described by Carl Friedrich Gauss in 1810 for systems with many unknowns.

A system of 3 equations in 3 unknowns usually has exactly one solution.

Cramer's rule uses determinants to solve a square system of linear equations.
`;
