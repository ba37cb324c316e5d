import { AppError, ErrorCode } from "../../errors.ts";

/** What every vector carries besides itself: where its chunk lives, for scope filters and cleanup. */
export interface VectorPayload {
  facultyId: string;
  semesterId: string | null;
  courseId: string;
  documentId: string;
  /** The chunk's first page, when known. */
  page: number | null;
  /** The document's chunk generation this vector was written for (stale generations are cleaned up). */
  generation: number;
}

/** One vector with its id (the chunk's id, a UUID). */
export interface VectorPoint {
  id: string;
  vector: number[];
  payload: VectorPayload;
}

/**
 * Whom a query may see. Fields are ANDed; at least one must be given (an unscoped query is refused).
 * An empty `courseIds` matches nothing (a student enrolled nowhere).
 */
export interface VectorScope {
  courseIds?: string[];
  semesterId?: string;
  facultyId?: string;
}

/** A hit: the chunk id, cosine similarity (higher is closer) and payload. */
export interface VectorHit {
  id: string;
  score: number;
  payload: VectorPayload;
}

/** A vector index with mandatory scope filters; one implementation per backend, chosen in `mod.ts`. */
export interface VectorStore {
  readonly name: "pgvector" | "qdrant";
  /** Creates the collection/table and indexes when missing; idempotent. */
  ensureSchema(): Promise<void>;
  /** Inserts or replaces points by id. */
  upsert(points: VectorPoint[]): Promise<void>;
  /** Removes a document's vectors, or only those of other generations when `exceptGeneration` is set. */
  deleteDocument(documentId: string, options?: { exceptGeneration?: number }): Promise<void>;
  /** The `limit` nearest vectors inside the scope. Throws when the scope is empty. */
  query(vector: number[], options: { scope: VectorScope; limit: number }): Promise<VectorHit[]>;
  /** How many vectors the scope holds (or the whole store when no scope is given). */
  count(scope?: VectorScope): Promise<number>;
}

/** Refuses a query without scope; returns false when the scope can match nothing (empty course list). */
export function checkScope(scope: VectorScope | undefined): boolean {
  if (!scope || (scope.courseIds === undefined && !scope.semesterId && !scope.facultyId)) {
    throw new AppError(
      ErrorCode.INTERNAL,
      "A vector query needs a scope (courseIds, semesterId or facultyId)",
    );
  }
  return scope.courseIds === undefined || scope.courseIds.length > 0;
}
