/** Test helpers: a course's place in academics and documents in it, with random ids. */
import type { Database } from "../../db/client.ts";
import { documents } from "../../db/schema/rag.ts";
import { newId } from "../../ids.ts";
import type { ChunkInput } from "../chunk_writer.ts";

/** Where a test course sits. */
export interface TestCourse {
  courseId: string;
  facultyId: string;
  semesterId: string;
}

/** A new course in a new faculty and semester (ids only: academics tables are not needed). */
export function newTestCourse(within: Partial<TestCourse> = {}): TestCourse {
  return { courseId: newId(), facultyId: newId(), semesterId: newId(), ...within };
}

/** Inserts a document row in `processing` state and returns it. */
export async function insertTestDocument(database: Database, course: TestCourse, title = "Lecture notes") {
  const [doc] = await database.db.insert(documents).values({
    ...course,
    title,
    fileName: `${title}.pdf`,
    mime: "application/pdf",
    sizeBytes: 1000,
    sha256: newId(),
    status: "processing",
  }).returning();
  return doc;
}

/** Chunks from plain paragraphs, one page each. */
export function paragraphs(...texts: string[]): ChunkInput[] {
  return texts.map((text, i) => ({ ordinal: i, text, pageStart: i + 1, pageEnd: i + 1 }));
}
