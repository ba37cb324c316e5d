import assert from "node:assert/strict";
import { extractText, getDocumentProxy } from "unpdf";
import { isKeySupported, OfflineExamGenerator } from "./offline_generator.ts";
import { Blueprint, type SourceChunk } from "./types.ts";

const PDF = new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url);

/** The real algebra module, one chunk per page (as ingestion stores pages). */
async function algebraChunks(): Promise<SourceChunk[]> {
  const pdf = await getDocumentProxy(new Uint8Array(await Deno.readFile(PDF)));
  const { text } = await extractText(pdf, { mergePages: false });
  const documentId = crypto.randomUUID();
  return text.map((t, i) => ({ chunkId: crypto.randomUUID(), documentId, page: i + 1, text: t }));
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

Deno.test("OfflineExamGenerator builds a valid exam from the algebra module: keys in cited chunks, no duplicates", async () => {
  const chunks = await algebraChunks();
  const byId = new Map(chunks.map((c) => [c.chunkId, c]));
  const blueprint = Blueprint.parse({ counts: { multiple_choice: 4, true_false: 3, short_answer: 3 } });
  const items = await new OfflineExamGenerator().generate(blueprint, chunks);

  assert.equal(items.length, 10);
  assert.deepEqual(
    items.map((i) => i.type),
    [...Array(4).fill("multiple_choice"), ...Array(3).fill("true_false"), ...Array(3).fill("short_answer")],
  );
  for (const item of items) {
    const chunk = byId.get(item.citations[0].chunkId)!;
    const material = squash(chunk.text);
    // The cited sentence is really in the cited chunk, on the cited page.
    assert.ok(
      material.includes(squash(item.citations[0].quote)),
      `quote of "${item.question}" is in its chunk`,
    );
    assert.equal(item.citations[0].page, chunk.page);
    if (item.type === "true_false") {
      assert.deepEqual(item.options, ["True", "False"]);
      const statement = squash(item.question.replace(/^True or false: /, ""));
      assert.equal(material.includes(statement), item.answerKey === "True", item.question);
    } else {
      // Filling the blank with the key gives back the cited sentence.
      const cloze = item.question.replace(/^(Fill in the blank: |Which term completes the statement\? )/, "");
      assert.ok(cloze.includes("_____"));
      assert.equal(squash(cloze.replace("_____", item.answerKey)), squash(item.citations[0].quote));
    }
    if (item.type === "multiple_choice") {
      assert.equal(item.options.length, 4);
      assert.equal(new Set(item.options.map((o) => o.toLowerCase())).size, 4);
      assert.equal(item.options.filter((o) => o === item.answerKey).length, 1);
    }
    assert.ok(isKeySupported(item, byId));
    assert.ok(item.explanation.length > 0);
  }
  assert.equal(new Set(items.map((i) => i.factKey)).size, items.length, "no fact is tested twice");
  assert.equal(
    new Set(items.map((i) => i.citations[0].quote)).size,
    items.length,
    "no sentence is used twice",
  );
  assert.equal(
    new Set(items.map((i) => i.answerKey.toLowerCase()).filter((k) => k !== "true" && k !== "false")).size,
    items.filter((i) => i.type !== "true_false").length,
    "no key term is used twice",
  );
});

Deno.test("OfflineExamGenerator is deterministic and honours the document filter", async () => {
  const chunks = await algebraChunks();
  const blueprint = Blueprint.parse({ counts: { multiple_choice: 2, short_answer: 2 } });
  const gen = new OfflineExamGenerator();
  assert.deepEqual(await gen.generate(blueprint, chunks), await gen.generate(blueprint, chunks));
  const other = Blueprint.parse({ ...blueprint, documentIds: [crypto.randomUUID()] });
  assert.deepEqual(await gen.generate(other, chunks), [], "no material for that document, so no items");
});

Deno.test("isKeySupported() rejects a key its chunk does not support", async () => {
  const chunks = await algebraChunks();
  const byId = new Map(chunks.map((c) => [c.chunkId, c]));
  const [item] = await new OfflineExamGenerator().generate(
    Blueprint.parse({ counts: { short_answer: 1 } }),
    chunks,
  );
  assert.ok(isKeySupported(item, byId));
  assert.equal(isKeySupported({ ...item, answerKey: "photosynthesis" }, byId), false);
  assert.equal(
    isKeySupported({ ...item, citations: [{ ...item.citations[0], chunkId: "nope" }] }, byId),
    false,
  );
});

Deno.test("OfflineExamGenerator writes Arabic items from Arabic material", async () => {
  const documentId = crypto.randomUUID();
  const text = [
    "الخلية هي الوحدة الأساسية في بناء جميع الكائنات الحية المعروفة.",
    "تحتوي الخلية النباتية على جدار خلوي يحيط بالغشاء البلازمي.",
    "تقوم البلاستيدات الخضراء بعملية البناء الضوئي داخل الخلية النباتية.",
    "الميتوكوندريا هي المسؤولة عن إنتاج الطاقة داخل الخلية الحية.",
    "يحمل الحمض النووي المعلومات الوراثية للكائنات الحية في النواة.",
    "تحيط الخلية الحيوانية بغشاء بلازمي دون جدار خلوي صلب.",
  ];
  const chunks = text.map((t, i) => ({ chunkId: crypto.randomUUID(), documentId, page: i + 1, text: t }));
  const items = await new OfflineExamGenerator().generate(
    Blueprint.parse({ counts: { short_answer: 2, true_false: 1 }, language: "ar" }),
    chunks,
  );
  assert.ok(items.length >= 2);
  for (const item of items) {
    assert.match(item.question, /^(أكمل الفراغ|صح أم خطأ): /);
    assert.ok(isKeySupported(item, new Map(chunks.map((c) => [c.chunkId, c]))));
  }
});
