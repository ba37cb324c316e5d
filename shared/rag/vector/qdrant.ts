import { QdrantClient } from "@qdrant/js-client-rest";
import { AppError, ErrorCode } from "../../errors.ts";
import { checkScope, type VectorPayload, type VectorScope, type VectorStore } from "./interface.ts";

/** How to reach Qdrant and shape its one collection. */
export interface QdrantOptions {
  url: string;
  apiKey?: string;
  collection: string;
  dimensions: number;
  shardNumber?: number;
  replicationFactor?: number;
  timeoutMs?: number;
}

type QdrantPayload = {
  faculty_id: string;
  semester_id: string | null;
  course_id: string;
  document_id: string;
  page: number | null;
  generation: number;
};

// deno-lint-ignore no-explicit-any
type Filter = { must?: any[]; must_not?: any[] };

function toPayload(p: VectorPayload): QdrantPayload {
  return {
    faculty_id: p.facultyId,
    semester_id: p.semesterId,
    course_id: p.courseId,
    document_id: p.documentId,
    page: p.page,
    generation: p.generation,
  };
}

function fromPayload(p: QdrantPayload): VectorPayload {
  return {
    facultyId: p.faculty_id,
    semesterId: p.semester_id ?? null,
    courseId: p.course_id,
    documentId: p.document_id,
    page: p.page ?? null,
    generation: p.generation,
  };
}

/** The Qdrant filter for a scope: every query carries it, the tenant (faculty) first when known. */
export function scopeFilter(scope: VectorScope): Filter {
  const must = [];
  if (scope.facultyId) must.push({ key: "faculty_id", match: { value: scope.facultyId } });
  if (scope.semesterId) must.push({ key: "semester_id", match: { value: scope.semesterId } });
  if (scope.courseIds !== undefined) must.push({ key: "course_id", match: { any: scope.courseIds } });
  return { must };
}

/**
 * Qdrant with one collection for every tenant, as Qdrant advises for many tenants: `faculty_id` is a keyword
 * index marked `is_tenant` (co-locates a faculty's vectors), and every query carries a `must` scope filter.
 */
export function createQdrantStore(options: QdrantOptions): VectorStore {
  const client = new QdrantClient({
    url: options.url,
    apiKey: options.apiKey,
    timeout: options.timeoutMs ?? 10_000,
    // The version probe only warns, and costs a round trip at start.
    checkCompatibility: false,
  });
  const collection = options.collection;
  let ready: Promise<void> | undefined;

  async function createSchema(): Promise<void> {
    const { exists } = await client.collectionExists(collection);
    if (!exists) {
      try {
        await client.createCollection(collection, {
          vectors: { size: options.dimensions, distance: "Cosine" },
          shard_number: options.shardNumber ?? 1,
          replication_factor: options.replicationFactor ?? 1,
          // Tenants are found through the payload index; skip the global graph for them (Qdrant's advice).
          hnsw_config: { payload_m: 16, m: 16 },
        });
      } catch (err) {
        // Another process may have created it between our check and create.
        if (!(await client.collectionExists(collection)).exists) throw err;
      }
    }
    const info = await client.getCollection(collection);
    // deno-lint-ignore no-explicit-any
    const size = (info.config?.params?.vectors as any)?.size;
    if (typeof size === "number" && size !== options.dimensions) {
      throw new AppError(
        ErrorCode.INTERNAL,
        `Qdrant collection "${collection}" holds ${size}-d vectors but the embedder makes ${options.dimensions}-d ` +
          `ones: set QDRANT_COLLECTION to a new collection and re-index`,
      );
    }
    await client.createPayloadIndex(collection, {
      field_name: "faculty_id",
      field_schema: { type: "keyword", is_tenant: true },
      wait: true,
    });
    for (const field of ["semester_id", "course_id", "document_id"]) {
      await client.createPayloadIndex(collection, { field_name: field, field_schema: "keyword", wait: true });
    }
  }

  function ensure(): Promise<void> {
    ready ??= createSchema().catch((err) => {
      ready = undefined;
      throw err;
    });
    return ready;
  }

  return {
    name: "qdrant",
    ensureSchema: ensure,

    async upsert(points) {
      if (points.length === 0) return;
      await ensure();
      await client.upsert(collection, {
        wait: true,
        points: points.map((p) => ({ id: p.id, vector: p.vector, payload: toPayload(p.payload) })),
      });
    },

    async deleteDocument(documentId, opts = {}) {
      await ensure();
      const filter: Filter = { must: [{ key: "document_id", match: { value: documentId } }] };
      if (opts.exceptGeneration !== undefined) {
        filter.must_not = [{ key: "generation", match: { value: opts.exceptGeneration } }];
      }
      await client.delete(collection, { wait: true, filter });
    },

    async query(vector, { scope, limit }) {
      if (!checkScope(scope)) return [];
      await ensure();
      const result = await client.query(collection, {
        query: vector,
        filter: scopeFilter(scope),
        limit,
        with_payload: true,
      });
      return result.points.map((p) => ({
        id: String(p.id),
        score: p.score,
        payload: fromPayload(p.payload as unknown as QdrantPayload),
      }));
    },

    async count(scope) {
      await ensure();
      if (scope && !checkScope(scope)) return 0;
      const result = await client.count(collection, {
        exact: true,
        ...(scope ? { filter: scopeFilter(scope) } : {}),
      });
      return result.count;
    },
  };
}
