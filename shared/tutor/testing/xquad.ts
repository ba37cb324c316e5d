/** Test-only access to the XQuAD fixture (CC BY-SA 4.0, see xquad_course.README.md). */
import { MemoryRetriever, type StoredChunk } from "../retriever/memory.ts";
import type { TutorLanguage } from "../types.ts";

/** A question of the fixture, in both languages. */
export interface FixtureQuestion {
  id: string;
  en: string;
  ar: string;
  answerEn: string;
  answerAr: string;
}

/** One paragraph of the fixture with its questions. */
export interface FixtureParagraph {
  id: string;
  title: string;
  en: string;
  ar: string;
  questions: FixtureQuestion[];
}

/** The whole fixture. */
export interface XquadFixture {
  paragraphs: FixtureParagraph[];
  heldOutSameArticle: FixtureQuestion[];
  heldOutOtherArticle: FixtureQuestion[];
}

/** Reads the fixture beside this file. */
export function loadXquadFixture(): XquadFixture {
  return JSON.parse(Deno.readTextFileSync(new URL("./xquad_course.json", import.meta.url)));
}

/** Chunks of a course made of the fixture's paragraphs, one chunk per paragraph. */
export function xquadChunks(
  fixture: XquadFixture,
  options: { courseId: string; language: TutorLanguage },
): StoredChunk[] {
  return fixture.paragraphs.map((p, i) => ({
    chunkId: `${options.courseId}-${p.id}-${options.language}`,
    documentId: `${options.courseId}-doc-${p.title}`,
    documentTitle: p.title.replace(/_/g, " "),
    page: (i % 2) + 1,
    text: p[options.language],
    courseId: options.courseId,
  }));
}

/** A retriever over one fixture course. */
export function xquadRetriever(
  fixture: XquadFixture,
  options: { courseId: string; language: TutorLanguage },
): MemoryRetriever {
  return new MemoryRetriever(xquadChunks(fixture, options));
}
