import { z } from "zod";
import { envTypes } from "../env.ts";
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from "./limits.ts";

/** Document storage and processing variables, shared by core (uploads) and workers (ingestion). */
export const documentsEnv = {
  /** Where uploaded files live: `local` disk under DATA_DIR/uploads (embedded default) or an `s3` bucket. */
  STORAGE: z.enum(["local", "s3"]).default("local"),
  /** Largest document a client may declare, in bytes. */
  UPLOAD_MAX_BYTES: envTypes.int(50 * 1024 * 1024, 1),
  /** Lifetime of an upload URL. */
  UPLOAD_URL_TTL_SECONDS: envTypes.int(900, 10),
  /** HMAC secret of local upload URLs; unset, one is generated once and kept in DATA_DIR/keys. */
  UPLOAD_SIGNING_SECRET: z.string().min(32).optional(),
  /** Public URL of core's upload route as clients reach it (through the edge in production). */
  UPLOAD_BASE_URL: z.url().default("http://localhost:8080/api/v1/uploads"),
  /** S3-compatible endpoint (AWS, R2, MinIO); required when STORAGE=s3. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_SESSION_TOKEN: z.string().optional(),
  /** Path-style URLs (`endpoint/bucket/key`); MinIO needs them, AWS and R2 accept virtual-hosted. */
  S3_FORCE_PATH_STYLE: envTypes.bool(false),
  S3_KEY_PREFIX: z.string().default(""),
  /** Chunk size the chunker aims for, in approximate tokens. */
  CHUNK_TARGET_TOKENS: envTypes.int(300, 50),
  /** Tokens repeated between neighbouring chunks of a section. */
  CHUNK_OVERLAP_TOKENS: envTypes.int(50, 0),
  /** Sections shorter than this merge into the next one. */
  CHUNK_MIN_TOKENS: envTypes.int(60, 0),
  /** DOCX/PPTX: largest sum of inflated entry sizes the zip directory may declare. */
  DOCUMENT_MAX_INFLATED_BYTES: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxInflatedBytes, 1),
  /** DOCX/PPTX: largest inflated size of one entry (one XML part). */
  DOCUMENT_MAX_ENTRY_BYTES: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxEntryBytes, 1),
  /** DOCX/PPTX: largest inflated ÷ compressed size of an entry over 1 MiB (zip bombs reach ~1000). */
  DOCUMENT_MAX_COMPRESSION_RATIO: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxCompressionRatio, 1),
  /** Pages of a PDF. */
  DOCUMENT_MAX_PAGES: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxPages, 1),
  /** Slides of a PPTX. */
  DOCUMENT_MAX_SLIDES: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxSlides, 1),
  /** Characters of text extracted from one document. */
  DOCUMENT_MAX_CHARS: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxChars, 1),
  /** Chunks per document. */
  DOCUMENT_MAX_CHUNKS: envTypes.int(DEFAULT_DOCUMENT_LIMITS.maxChunks, 1),
  /** `process`: extraction and local embedding run in child processes (the default); `inline`: in this one. */
  DOCUMENT_ISOLATION: z.enum(["process", "inline"]).default("process"),
  /** Child processes that extract and embed (a pool, started on first use). */
  EXTRACTION_WORKERS: envTypes.int(2, 1),
  /** Wall time one extraction may take before its child process is killed. */
  EXTRACTION_TIMEOUT_MS: envTypes.int(180_000, 100),
  /** Memory ceiling of each child process (V8 heap and resident size), in MiB. */
  EXTRACTION_MEMORY_MB: envTypes.int(768, 64),
  /** Niceness of the child processes (0–19): how far below the serving process they get a CPU; 0 = the same. */
  EXTRACTION_NICE: z.coerce.number().int().min(0).max(19).default(10),
};

/** The parsed document variables. */
export interface DocumentsEnv {
  STORAGE: "local" | "s3";
  UPLOAD_MAX_BYTES: number;
  UPLOAD_URL_TTL_SECONDS: number;
  UPLOAD_SIGNING_SECRET?: string;
  UPLOAD_BASE_URL: string;
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_SESSION_TOKEN?: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_KEY_PREFIX: string;
  CHUNK_TARGET_TOKENS: number;
  CHUNK_OVERLAP_TOKENS: number;
  CHUNK_MIN_TOKENS: number;
  DOCUMENT_MAX_INFLATED_BYTES: number;
  DOCUMENT_MAX_ENTRY_BYTES: number;
  DOCUMENT_MAX_COMPRESSION_RATIO: number;
  DOCUMENT_MAX_PAGES: number;
  DOCUMENT_MAX_SLIDES: number;
  DOCUMENT_MAX_CHARS: number;
  DOCUMENT_MAX_CHUNKS: number;
  DOCUMENT_ISOLATION: "process" | "inline";
  EXTRACTION_WORKERS: number;
  EXTRACTION_TIMEOUT_MS: number;
  EXTRACTION_MEMORY_MB: number;
  EXTRACTION_NICE: number;
}

/** The limits the configuration sets. */
export function documentLimitsFrom(env: DocumentsEnv): DocumentLimits {
  return {
    ...DEFAULT_DOCUMENT_LIMITS,
    maxInflatedBytes: env.DOCUMENT_MAX_INFLATED_BYTES,
    maxEntryBytes: env.DOCUMENT_MAX_ENTRY_BYTES,
    maxCompressionRatio: env.DOCUMENT_MAX_COMPRESSION_RATIO,
    maxPages: env.DOCUMENT_MAX_PAGES,
    maxSlides: env.DOCUMENT_MAX_SLIDES,
    maxChars: env.DOCUMENT_MAX_CHARS,
    maxChunks: env.DOCUMENT_MAX_CHUNKS,
  };
}
