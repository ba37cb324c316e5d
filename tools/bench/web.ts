/**
 * `deno task bench:web`: the web app's two budgets.
 *
 * 1. JavaScript the chat page loads, gzipped: the entry chunk and every chunk it imports statically (KaTeX and
 *    pdf.js load only when an answer has math or a source is opened, and are listed apart). Budget: 150 KB.
 * 2. Time from pressing Send to the first token painted, in Chromium, against the whole stack with the offline
 *    tutor: the app marks `chat:send` in the click handler and `chat:first-token` in the animation frame that paints
 *    the first token. Different questions each time (no answer-cache hits); the first is a warm-up. Budget: 300 ms.
 */
import { buildWebApp } from "../../web/build.ts";
import { launchBrowser } from "../../web/tests/browser.ts";
import { startWebStack } from "../../web/tests/stack.ts";

const BUDGET_KB = 150;
const BUDGET_MS = 300;
const QUESTIONS = [
  "What is the substitution method?",
  "How does elimination remove a variable?",
  "What does a graph of two lines show about the solution?",
  "When do two equations have no solution?",
  "How can distance, rate and time give simultaneous equations?",
  "What happens when the two lines are the same line?",
  "Why double the top equation before subtracting?",
  "How do I check a solution of two equations?",
  "What is a word problem with two unknowns?",
  "How do parallel lines relate to special cases?",
  "What is the first step of substitution?",
  "Which method suits equations with matching coefficients?",
];

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

async function bundleSizes() {
  const dir = await Deno.makeTempDir({ prefix: "aiteacher-web-bench-" });
  await buildWebApp({ outDir: dir, quiet: true });
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/.vite/manifest.json`)) as Record<
    string,
    { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }
  >;
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry)!;
  const seen = new Set<string>();
  const walk = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const dep of manifest[key].imports ?? []) walk(dep);
  };
  walk(entry);
  let chat = 0;
  for (const key of seen) chat += await gzipSize(await Deno.readFile(`${dir}/${manifest[key].file}`));
  const lazy: string[] = [];
  for (const [key, chunk] of Object.entries(manifest)) {
    if (seen.has(key) || !chunk.file.endsWith(".js")) continue;
    lazy.push(
      `${chunk.file} ${(await gzipSize(await Deno.readFile(`${dir}/${chunk.file}`)) / 1024).toFixed(1)} KB`,
    );
  }
  await Deno.remove(dir, { recursive: true });
  return { chatKb: chat / 1024, chunks: seen.size, lazy };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Time to the first `token` event of a turn asked straight over the API (no browser), for comparison. */
async function apiFirstToken(
  url: string,
  token: string,
  sessionId: string,
  content: string,
): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/chat/sessions/${sessionId}/messages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "text/event-stream",
    },
    body: JSON.stringify({ content }),
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let first = 0;
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (!first && text.includes("event: token")) first = performance.now() - started;
  }
  return first;
}

async function firstTokenTimes(): Promise<{ browser: number[]; api: number[] }> {
  const stack = await startWebStack();
  const browser = await launchBrowser();
  try {
    const course = await stack.createCourse("Simultaneous Equations");
    const password = "correct horse battery";
    const academicEmail = `bench-academic-${crypto.randomUUID()}@uni.example`;
    await stack.makeInstructor(await stack.register(academicEmail, password, "A"), course);
    const token = await stack.login(academicEmail, password);
    const pdf = await Deno.readFile(
      new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url),
    );
    await stack.addDocument(token, course.id, "simultaneous.pdf", pdf);
    const studentEmail = `bench-student-${crypto.randomUUID()}@uni.example`;
    await stack.enrol(await stack.register(studentEmail, password, "S"), course.id);

    const page = await browser.context.newPage();
    await page.goto(`${stack.url}/sign-in`);
    await page.getByLabel("Email").fill(studentEmail);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: "Simultaneous Equations" }).click();
    const studentToken = await stack.login(studentEmail, password);
    const session = await (await fetch(`${stack.url}/api/v1/chat/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${studentToken}`, "content-type": "application/json" },
      body: JSON.stringify({ courseId: course.id, title: "bench" }),
    })).json();
    const times: number[] = [];
    const api: number[] = [];
    for (const question of QUESTIONS) {
      // Paired with each browser turn: the same kind of question straight over the API (another wording, so
      // neither hits the answer cache), to tell the server's share from the browser's.
      const viaApi = await apiFirstToken(stack.url, studentToken, session.id, `${question} Explain briefly.`);
      if (viaApi > 0) api.push(viaApi);
      await page.getByLabel("Your question").fill(question);
      await page.getByRole("button", { name: "Send" }).click();
      // The app marks the turn's end; a refusal streams no token and is left out.
      await page.waitForFunction(() => performance.getEntriesByName("chat:done").length > 0, null, {
        timeout: 60_000,
      });
      const ms = await page.evaluate(() => {
        const first = performance.getEntriesByName("chat:first-token")[0];
        return first ? first.startTime - performance.getEntriesByName("chat:send")[0].startTime : null;
      });
      if (ms !== null) times.push(ms);
    }
    console.log(
      `turns with tokens: ${times.length} in the browser, ${api.length} over the API (first is warm-up)`,
    );
    return { browser: times.slice(1), api: api.slice(1) };
  } finally {
    await browser.close();
    await stack.close();
  }
}

const sizes = await bundleSizes();
console.log(
  `chat page JS: ${sizes.chatKb.toFixed(1)} KB gzip in ${sizes.chunks} chunk(s) (budget ${BUDGET_KB} KB)`,
);
console.log(`loaded on demand: ${sizes.lazy.join("; ")}`);
const measured = await firstTokenTimes();
const times = measured.browser.sort((a, b) => a - b);
const api = measured.api.sort((a, b) => a - b);
console.log(
  `Send → first token painted, ${times.length} questions: p50 ${percentile(times, 50).toFixed(0)} ms, ` +
    `p95 ${percentile(times, 95).toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms (budget ${BUDGET_MS} ms)`,
);
console.log(
  `same server, first token over the API without a browser: p50 ${percentile(api, 50).toFixed(0)} ms, ` +
    `p95 ${percentile(api, 95).toFixed(0)} ms`,
);
console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")} (2 shared cores)`);
