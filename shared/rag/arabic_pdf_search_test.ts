import assert from "node:assert/strict";
import { processDocument } from "../documents/mod.ts";
import { readPdfFixture } from "../documents/testing/fixtures.ts";
import { dbTest } from "../db/testing.ts";
import { replaceDocumentChunks } from "./chunk_writer.ts";
import { startFakeQdrant } from "./testing/fake_qdrant.ts";
import { createHashEmbedder } from "./testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse } from "./testing/documents.ts";
import { createQdrantStore } from "./vector/qdrant.ts";
import { searchTerms } from "../text/normalize.ts";
import { fullTextSearch } from "./full_text.ts";

dbTest(
  "fullTextSearch() finds words from every kind of line of the generated Arabic PDFs after real ingestion",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const store = createQdrantStore({
        url: qdrant.url,
        collection: `t${crypto.randomUUID()}`,
        dimensions: 64,
      });
      // One course per document: a hit in a course names the document.
      const courses = new Map<string, string>();
      for (
        const file of [
          "ar_regulation_justified",
          "ar_numbers_latin",
          "ar_lam_alef",
          "ar_two_columns",
          "ar_lam_alef_dejavu",
        ]
      ) {
        const { chunks } = await processDocument(await readPdfFixture(`generated/${file}.pdf`), "pdf");
        const course = newTestCourse();
        courses.set(course.courseId, file);
        const doc = await insertTestDocument(database, course, file);
        await replaceDocumentChunks(database, store, createHashEmbedder(), { document: doc, chunks });
      }
      const found = async (query: string) => {
        const files: string[] = [];
        for (const [courseId, file] of courses) {
          const hits = await fullTextSearch(database.read, {
            scope: { courseIds: [courseId] },
            terms: searchTerms(query),
            limit: 5,
          });
          if (hits.length > 0) files.push(file);
        }
        return files;
      };
      // Kashida-stretched words ("المـــادة") and words cut at a kerning gap ("تحو يله") are whole again.
      assert.ok((await found("تسري أحكام المادة")).includes("ar_regulation_justified"));
      assert.ok((await found("تحويله")).includes("ar_regulation_justified"));
      // Numbers and Latin inside Arabic lines.
      assert.ok((await found("القرار 125")).includes("ar_numbers_latin"));
      assert.ok((await found("Moodle Python")).includes("ar_numbers_latin"));
      // The stored text keeps its diacritics («رَبِّ زِدْنِي عِلْمًا»); search folds them on both sides.
      assert.ok((await found("رب زدني علما")).includes("ar_numbers_latin"));
      // Lam-alef words, written with and without hamza and diacritics.
      assert.ok((await found("الأولى")).includes("ar_lam_alef"));
      assert.ok((await found("اللائحة")).includes("ar_lam_alef"));
      assert.ok((await found("الإلكتروني")).includes("ar_lam_alef"));
      // Lam-alef glyphs pdf.js swapped inside words, put back from the page's glyphs.
      assert.ok((await found("العلاقات الإسلامية")).includes("ar_lam_alef_dejavu"));
      assert.ok((await found("الطلاب")).includes("ar_lam_alef_dejavu"));
      // Two justified columns.
      assert.ok((await found("مختبر الكيمياء")).includes("ar_two_columns"));
      assert.ok((await found("الرياضة")).includes("ar_two_columns"));
    } finally {
      await qdrant.close();
    }
  },
);
