/**
 * `deno task eval:exams`: the offline exam generator on real material. Courses: the algebra module (the fixture
 * PDF, one chunk per page), XQuAD English in courses of four articles, ARCD in Arabic courses of twenty
 * paragraphs. Each course gets one exam of 4 multiple-choice, 4 true/false and 4 short-answer items. Reports:
 * items made of those asked, key supported by the cited chunk, share of true/false keys that are "True",
 * duplicates (same fact, sentence or key term twice in one exam), distractors of the key's kind (a name for a name,
 * a number for a number), and answerability: the offline tutor, asked the item's question over the same course,
 * quotes the key (cloze and multiple choice) or the cited sentence (true/false).
 *
 * Ids are fixed, so runs are repeatable (the generator is seeded by the material and its chunk ids).
 *
 * Flags: `--data DIR`, `--courses N` (per set, default 12).
 */
import { extractText, getDocumentProxy } from "unpdf";
import { isKeySupported, OfflineExamGenerator } from "../shared/exams/offline_generator.ts";
import { Blueprint, type GeneratedItem, type SourceChunk } from "../shared/exams/types.ts";
import { OfflineTutor } from "../shared/tutor/model/offline.ts";
import { MemoryRetriever } from "../shared/tutor/retriever/memory.ts";
import { normalizeText } from "../shared/text/fold.ts";
import { findDataDir } from "./eval/common.ts";

type Squad = { data: { title: string; paragraphs: { context: string }[] }[] };

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const dataDir = findDataDir(flag("data"));
const perSet = Number(flag("courses") ?? 12);

interface Course {
  set: string;
  language: "en" | "ar";
  chunks: SourceChunk[];
  titles: Map<string, string>;
}

const courses: Course[] = [];
{
  const pdf = await getDocumentProxy(
    new Uint8Array(
      await Deno.readFile(
        new URL("../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url),
      ),
    ),
  );
  const { text } = await extractText(pdf, { mergePages: false });
  const documentId = "algebra";
  courses.push({
    set: "algebra",
    language: "en",
    chunks: text.map((t, i) => ({ chunkId: `algebra-${i}`, documentId, page: i + 1, text: t })),
    titles: new Map([[documentId, "Simultaneous equations"]]),
  });
}
if (dataDir) {
  const en = JSON.parse(await Deno.readTextFile(`${dataDir}/xquad/xquad.en.json`)) as Squad;
  for (let c = 0; c < perSet && c * 4 < en.data.length; c++) {
    const course: Course = { set: "xquad-en", language: "en", chunks: [], titles: new Map() };
    for (const article of en.data.slice(c * 4, c * 4 + 4)) {
      const documentId = article.title;
      course.titles.set(documentId, article.title);
      article.paragraphs.forEach((p, i) =>
        course.chunks.push({ chunkId: `${documentId}-${i}`, documentId, page: i + 1, text: p.context })
      );
    }
    courses.push(course);
  }
  const arcd = JSON.parse(await Deno.readTextFile(`${dataDir}/arcd/arcd-train.json`)) as Squad;
  const paragraphs = arcd.data.flatMap((a) => a.paragraphs.map((p) => ({ title: a.title, text: p.context })));
  for (let c = 0; c < perSet && c * 20 < paragraphs.length; c++) {
    const course: Course = { set: "arcd", language: "ar", chunks: [], titles: new Map() };
    for (const [i, p] of paragraphs.slice(c * 20, c * 20 + 20).entries()) {
      const documentId = `arcd-${c}-${i}`;
      course.titles.set(documentId, p.title);
      course.chunks.push({ chunkId: documentId, documentId, page: 1, text: p.text });
    }
    courses.push(course);
  }
}

/** The kind of a term: number, name (capitalised) or word. */
const kind = (term: string) => /^\d/.test(term) ? "number" : /^\p{Lu}/u.test(term) ? "name" : "word";

const generator = new OfflineExamGenerator();
const tutor = new OfflineTutor();
const totals = new Map<string, Record<string, number>>();
for (const course of courses) {
  const blueprint = Blueprint.parse({
    counts: { multiple_choice: 4, true_false: 4, short_answer: 4 },
    language: course.language,
  });
  const items = await generator.generate(blueprint, course.chunks);
  const byId = new Map(course.chunks.map((c) => [c.chunkId, c]));
  const retriever = new MemoryRetriever(course.chunks.map((c) => ({
    chunkId: c.chunkId,
    documentId: c.documentId,
    documentTitle: course.titles.get(c.documentId) ?? "",
    page: c.page,
    text: c.text,
    courseId: "exam",
  })));
  const t = totals.get(course.set) ?? {
    courses: 0,
    asked: 0,
    items: 0,
    supported: 0,
    trueFalse: 0,
    trueKeys: 0,
    duplicates: 0,
    options: 0,
    sameKind: 0,
    answerable: 0,
    balancedExams: 0,
  };
  t.courses++;
  t.asked += 12;
  t.items += items.length;
  const seen = { fact: new Set<string>(), quote: new Set<string>(), key: new Set<string>() };
  for (const item of items) {
    if (isKeySupported(item, byId)) t.supported++;
    const quote = item.citations[0].quote;
    const key = item.type === "true_false" ? "" : item.answerKey.toLowerCase();
    if (seen.fact.has(item.factKey) || seen.quote.has(quote) || (key && seen.key.has(key))) t.duplicates++;
    seen.fact.add(item.factKey);
    seen.quote.add(quote);
    if (key) seen.key.add(key);
    if (item.type === "true_false") {
      t.trueFalse++;
      if (item.answerKey === item.options[0]) t.trueKeys++;
    }
    if (item.type === "multiple_choice") {
      for (const o of item.options.filter((o) => o !== item.answerKey)) {
        t.options++;
        if (kind(o) === kind(item.answerKey)) t.sameKind++;
      }
    }
    if (await answerable(item, retriever, course.language)) t.answerable++;
  }
  const tf = items.filter((i) => i.type === "true_false");
  const trues = tf.filter((i) => i.answerKey === i.options[0]).length;
  if (Math.abs(trues - (tf.length - trues)) <= 1) t.balancedExams++;
  totals.set(course.set, t);
}

/** Whether the offline tutor, asked the item over the course, quotes what the key needs. */
async function answerable(
  item: GeneratedItem,
  retriever: MemoryRetriever,
  language: "en" | "ar",
): Promise<boolean> {
  const question = item.question.replace(/^[^:?؟]*[:?؟]\s*/, "").replace(/_{3,}/g, " ");
  const { chunks } = await retriever.retrieve({
    scope: { courseId: "exam" },
    query: question,
    k: 6,
    language,
  });
  const text = tutor.answer(question, chunks, "direct", language);
  if (text === null) return false;
  const want = item.type === "true_false" ? item.citations[0].quote : item.answerKey;
  return normalizeText(text).includes(normalizeText(want));
}

const pct = (a: number, b: number) => b === 0 ? "    -" : `${(100 * a / b).toFixed(1).padStart(5)}%`;
const columns = ["courses", "items/asked", "key-supported", "true-keys", "balanced-exams", "duplicates"];
console.log(["set", ...columns, "same-kind-distractors", "answerable"].map((c) => c.padEnd(16)).join(""));
for (const [set, t] of totals) {
  const cells = [
    set,
    String(t.courses),
    `${t.items}/${t.asked}`,
    pct(t.supported, t.items),
    pct(t.trueKeys, t.trueFalse),
    pct(t.balancedExams, t.courses),
    pct(t.duplicates, t.items),
    pct(t.sameKind, t.options),
    pct(t.answerable, t.items),
  ];
  console.log(cells.map((c) => c.padEnd(16)).join(""));
}
