import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import { PRIVATE_CACHE } from "../http/cache.ts";
import { cachedCourseSearch, SEARCH_CACHE_TTL_SECONDS } from "../../shared/rag/course_search.ts";
import { searchableCourses } from "../academics/searchable_courses.ts";
import { currentScopeVersion, formatCacheScope } from "../../shared/kv/cache_scope.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, jsonResponse, scoped, upstreamErrorResponses } from "./common.ts";

const SearchBody = z.object({
  courseId: z.uuid().optional(),
  semesterId: z.uuid().optional(),
  query: z.string().trim().min(1).max(1000),
  k: z.number().int().min(1).max(50).default(8),
}).refine((b) => (b.courseId ? 1 : 0) + (b.semesterId ? 1 : 0) === 1, {
  message: "Give exactly one of courseId and semesterId",
  path: ["courseId"],
}).openapi("SearchRequest", {
  example: { courseId: "5c3e1a7b-2f4d-4b8a-9e6c-1d2f3a4b5c6d", query: "method of joints", k: 8 },
});

const Hit = z.object({
  chunkId: z.uuid(),
  documentId: z.uuid(),
  documentTitle: z.string(),
  courseId: z.uuid(),
  page: z.number().int().nullable(),
  pageEnd: z.number().int().nullable(),
  heading: z.string().nullable(),
  score: z.number(),
  snippet: z.string(),
});
const SearchAnswer = z.object({
  results: z.array(Hit),
  /** Set when the vector store could not be used: keyword search alone answered. */
  degraded: z.literal("vector_unavailable").optional(),
  cached: z.boolean(),
}).openapi("SearchAnswer");

const search = createRoute({
  method: "post",
  path: "/v1/search",
  tags: ["search"],
  summary: "Hybrid search in a course, or in the caller's readable courses of a semester",
  ...contract({ access: SIGNED_IN, rateLimit: "search", cache: "scoped" }),
  request: { body: { content: { "application/json": { schema: SearchBody } }, required: true } },
  responses: {
    200: jsonResponse(SearchAnswer, "Ranked chunks"),
    ...errorResponses,
    ...upstreamErrorResponses,
  },
});

/** `POST /v1/search`. */
export function registerSearchRoutes(app: CoreApp): void {
  app.openapi(search, async (c) => {
    const body = c.req.valid("json");
    const s = c.var.services;
    const courseIds = await scoped(c, (ctx) => searchableCourses(ctx.tx, ctx.scope, body), {
      readOnly: true,
    });
    // Edge cache contract: read the scope's version BEFORE computing, so an answer racing a change is never served.
    let edgeScope: string | null = null;
    if (body.courseId) {
      try {
        edgeScope = formatCacheScope({
          [`course:${body.courseId}`]: await currentScopeVersion(s.kv, `course:${body.courseId}`),
        });
      } catch {
        edgeScope = null; // KV down: answer uncached at the edge.
      }
    }
    const answer = await cachedCourseSearch(
      {
        database: s.database,
        vectorStore: s.documents.vectorStore,
        embedder: s.documents.embedder,
        logger: s.logger,
        kv: s.kv,
        metrics: s.metrics.registry,
      },
      { courseIds, semesterId: body.semesterId, query: body.query, k: body.k },
    );
    c.header("X-Search-Cache", answer.cached ? "hit" : "miss");
    if (edgeScope && !answer.degraded) {
      // Every reader of the course gets the same answer: the edge may share it among them (docs/edge-cache.md).
      c.header("Cache-Control", `public, max-age=${SEARCH_CACHE_TTL_SECONDS}`);
      c.header("X-Cache-Scope", edgeScope);
    } else {
      // A semester answer depends on which of its courses the caller reads; a degraded one should not stick.
      c.header("Cache-Control", answer.degraded ? "private, no-store" : PRIVATE_CACHE);
    }
    const { courseIds: _ids, ...out } = answer;
    return c.json(out, 200);
  });
}
