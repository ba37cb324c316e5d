import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";

/** Postgres `tsvector`; drizzle has no built-in column type for it. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * Where a document is in its life: `awaiting_upload` (URL issued) → `queued` (bytes stored, ingestion enqueued) →
 * `processing` → `ready`, or `failed` with a readable reason. `pending`/`uploaded` are kept for rows written by
 * earlier code paths and tests.
 */
export const DOCUMENT_STATUSES = [
  "pending",
  "awaiting_upload",
  "uploaded",
  "queued",
  "processing",
  "ready",
  "failed",
] as const;

/** One of the statuses a document can be in. */
export type DocumentStatus = typeof DOCUMENT_STATUSES[number];

/**
 * Course material. `course_id`, `faculty_id` and `semester_id` copy the course's place in academics so that
 * retrieval filters without joins (FKs to the academics tables follow when they land).
 */
export const documents = pgTable("documents", {
  id: id(),
  courseId: uuid("course_id").notNull(),
  facultyId: uuid("faculty_id").notNull(),
  semesterId: uuid("semester_id"),
  uploadedBy: uuid("uploaded_by"),
  title: text("title").notNull(),
  fileName: text("file_name").notNull(),
  mime: text("mime").notNull(),
  sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
  /** Hex SHA-256 of the bytes; the same content twice in one course is refused. */
  sha256: text("sha256"),
  status: text("status", { enum: DOCUMENT_STATUSES }).notNull().default("pending"),
  pages: integer("pages"),
  chunkCount: integer("chunk_count").notNull().default(0),
  /** 0..1 while ingesting. */
  progress: real("progress").notNull().default(0),
  /** Readable reason when `status` is `failed`. */
  error: text("error"),
  storageKey: text("storage_key"),
  /** The chunk generation retrieval reads; a re-ingest writes generation + 1 and swaps in one update. */
  chunkGeneration: integer("chunk_generation").notNull().default(0),
  /** Main language detected at ingestion (`ar`, `en`, ...), informational. */
  language: text("language"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("documents_course_sha256_live_uq").on(t.courseId, t.sha256).where(sql`${t.deletedAt} is null`),
  index("documents_course_idx").on(t.courseId),
  index("documents_faculty_idx").on(t.facultyId),
  index("documents_semester_idx").on(t.semesterId),
  index("documents_status_idx").on(t.status),
]);

/** Searchable pieces of a document, each with its page range; the text is what answers cite. */
export const documentChunks = pgTable("document_chunks", {
  id: id(),
  documentId: uuid("document_id").notNull().references(() => documents.id, { onDelete: "cascade" }),
  courseId: uuid("course_id").notNull(),
  facultyId: uuid("faculty_id").notNull(),
  semesterId: uuid("semester_id"),
  /** Matches `documents.chunk_generation` when live; other generations are mid-write or stale. */
  generation: integer("generation").notNull(),
  ordinal: integer("ordinal").notNull(),
  pageStart: integer("page_start"),
  pageEnd: integer("page_end"),
  heading: text("heading"),
  text: text("text").notNull(),
  /** Normalised terms (Arabic folded and de-prefixed, English stemmed), space-separated. */
  searchText: text("search_text").notNull(),
  /** Number of terms in `search_text`: the document length for BM25. */
  termCount: integer("term_count").notNull().default(0),
  searchVector: tsvector("search_vector").notNull().generatedAlwaysAs(
    sql`to_tsvector('simple'::regconfig, search_text)`,
  ),
  language: text("language"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("document_chunks_doc_gen_ordinal_uq").on(t.documentId, t.generation, t.ordinal),
  index("document_chunks_course_idx").on(t.courseId),
  index("document_chunks_semester_idx").on(t.semesterId),
  index("document_chunks_faculty_idx").on(t.facultyId),
  index("document_chunks_search_idx").using("gin", t.searchVector),
]);

/** A counter per course, bumped on any document change; search caches key on it. */
export const courseCorpusVersions = pgTable("course_corpus_versions", {
  courseId: uuid("course_id").primaryKey(),
  version: integer("version").notNull().default(0),
  ...timestamps(),
});
