import { type SQL, sql, type SQLWrapper } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { PageBreak } from "../../documents/types.ts";
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
  /** Σ `term_count` of the live generation's chunks: with `chunk_count`, BM25's mean chunk length. */
  termTotal: bigint("term_total", { mode: "number" }).notNull().default(0),
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

/**
 * The course-keyed lexemes of a chunk: each search term prefixed with the last 12 hex digits of its course id (see
 * `courseTermKey`), as a `tsvector` built without a parser. Queries must repeat this expression to use its index.
 */
export function courseTermsExpression(courseId: SQLWrapper, searchText: SQLWrapper): SQL {
  return sql`array_to_tsvector(string_to_array(right(${courseId}::text, 12) || replace(${searchText}, ' ', ' ' || right(${courseId}::text, 12)), ' '))`;
}

/** The GIN index over `courseTermsExpression`. */
export const COURSE_TERMS_INDEX = "document_chunks_course_terms_idx";

/** A query term as `courseTermsExpression` indexes it for one course. */
export function courseTermKey(courseId: string, term: string): string {
  return `${courseId.toLowerCase().slice(-12)}${term}`;
}

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
  /** Where each page after `page_start` begins in `text` (so a citation can name the page of its sentence). */
  pageBreaks: jsonb("page_breaks").$type<PageBreak[]>().notNull().default([]),
  heading: text("heading"),
  text: text("text").notNull(),
  /**
   * Normalised terms (Arabic folded and de-prefixed, English stemmed), separated by single spaces: what keyword
   * search indexes (`courseTermsExpression`) and counts (`document_terms`).
   */
  searchText: text("search_text").notNull(),
  /** Number of terms in `search_text`: the document length for BM25. */
  termCount: integer("term_count").notNull().default(0),
  /**
   * `KEYWORD_ANALYZER_VERSION` that wrote `search_text` (shared/text/normalize.ts). Rows written by an earlier
   * analyzer (or by code that does not set it: the default) are re-analysed by `reanalyzeStaleDocuments`.
   */
  analyzerVersion: integer("analyzer_version").notNull().default(1),
  /** `search_text` as a tsvector (the `simple` parser maps each letters-and-digits term to itself): BM25's tf. */
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
  // No longer read (candidates come from the course-keyed index below); kept for the release that stops using it
  // (additive-first migrations), dropped in the next.
  index("document_chunks_search_idx").using("gin", t.searchVector),
  // Keyword candidates per course: every term prefixed with its course's key (`courseTermsExpression`), so a
  // posting list holds one course's chunks, not the whole corpus's. Its pending list (fast inserts) is merged by
  // autovacuum on Postgres, and by the chunk writer after each document on PGlite, which has no autovacuum.
  index(COURSE_TERMS_INDEX).using("gin", courseTermsExpression(t.courseId, t.searchText)),
]);

/**
 * Document frequencies per document and generation: in how many of the document's chunks each term occurs. Summed
 * over a scope's live documents they give BM25 its IDF without touching the chunks, and tell keyword search which
 * query terms are too common to generate candidates (see shared/rag/full_text.ts). Written with the chunks; rows of
 * other generations are invisible, like their chunks.
 */
export const documentTerms = pgTable("document_terms", {
  // No scope columns: search reaches these rows from the scope's live documents, through the primary key.
  documentId: uuid("document_id").notNull().references(() => documents.id, { onDelete: "cascade" }),
  generation: integer("generation").notNull(),
  term: text("term").notNull(),
  /** Chunks of this document and generation whose `search_text` holds the term. */
  df: integer("df").notNull(),
}, (t) => [primaryKey({ columns: [t.documentId, t.generation, t.term] })]);

/** A counter per course, bumped on any document change; search caches key on it. */
export const courseCorpusVersions = pgTable("course_corpus_versions", {
  courseId: uuid("course_id").primaryKey(),
  version: integer("version").notNull().default(0),
  ...timestamps(),
});
