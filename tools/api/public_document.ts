/**
 * Core's OpenAPI document turned into the public one, as clients see the API at the edge: `/api/v1` paths, servers,
 * security schemes from each route's declared access, operation ids, one tag per area, every error response with
 * the one error shape, and the edge's own routes. Also the route manifest the edge builds its tables from.
 */
import {
  type Access,
  type ApiManifest,
  type Cacheability,
  EXTENSION,
  type ManifestRoute,
  type RouteRateLimitClass,
} from "../../shared/api/contract.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** The areas of the API, in the order the reference shows them. */
const TAGS: { name: string; description: string }[] = [
  { name: "system", description: "Which service and API version answer; the API description itself." },
  {
    name: "auth",
    description:
      "Accounts and sessions: register, sign in (password, Google), refresh, sign out, two-factor.",
  },
  { name: "me", description: "The signed-in user: account, profile, courses." },
  { name: "users", description: "Administration of users: roles and profiles (admins)." },
  { name: "audit", description: "The audit trail (admins)." },
  { name: "faculties", description: "Faculties of the catalog." },
  { name: "semesters", description: "Semesters of the catalog." },
  { name: "courses", description: "Courses of the catalog." },
  { name: "enrollments", description: "Who takes or teaches a course; CSV roster import." },
  { name: "documents", description: "Course documents: upload, ingestion, re-indexing." },
  { name: "search", description: "Hybrid (vector and keyword) search in course documents." },
  { name: "chat", description: "The tutor: chat sessions with cited answers, summaries, policy and usage." },
  {
    name: "insight",
    description:
      "Course insight for its faculty: questions per week, unanswered questions grouped, citations, usage.",
  },
  { name: "exams", description: "Exams: generation, items, publishing, attempts, grading and results." },
  {
    name: "golden",
    description: "Golden sets: questions a course's faculty expect answered, and their runs.",
  },
  { name: "jobs", description: "Asynchronous jobs: status, progress, retry." },
  { name: "notifications", description: "In-app notifications." },
];

const FALLBACK_TAG: Record<string, string> = {
  version: "system",
  openapi: "system",
  uploads: "documents",
};

const ERROR_DESCRIPTIONS: Record<string, string> = {
  "400": "Invalid input (`VALIDATION_FAILED` lists the failing fields in `details`)",
  "401": "No valid access token (`WWW-Authenticate: Bearer`)",
  "403": "The caller's role or scope does not allow this",
  "404": "Not found, or outside the caller's scope",
  "409": "Conflicts with the resource's current state",
  "413": "Body too large",
  "429": "Rate limit or quota exceeded (`Retry-After` says when to try again)",
  "500": "Unexpected error (details are logged, never sent)",
  "502": "An upstream service answered badly",
  "503":
    "A dependency (the database, the model, the session store) is unavailable; `Retry-After` may say when to retry",
  "504": "An upstream service did not answer in time",
};

const ERROR_EXAMPLE = {
  error: {
    code: "VALIDATION_FAILED",
    message: "Invalid request body",
    requestId: "01J9ZC4S7J6W8B1X9D3N2M4K5Q",
    details: [{ path: "email", message: "Invalid email address" }],
  },
};

/** `/v1/courses/{id}/documents` → `/api/v1/courses/:id/documents`. */
function edgePathOf(path: string): string {
  return `/api${path.replace(/\{([^}]+)\}/g, ":$1")}`;
}

/** A stable operation id from method and path: `GET /v1/courses/{id}/exams` → `getCoursesByIdExams`. */
export function operationIdOf(method: string, path: string): string {
  const words = path.replace(/^\/(api\/)?v1\//, "").split("/").flatMap((segment) => {
    const param = /^\{(.+)\}$/.exec(segment);
    return param ? ["by", param[1]] : segment.split(/[^A-Za-z0-9]+/);
  }).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
}

function describeAccess(access: Access, allowWithoutMfa: boolean): string {
  if (access === "public") return "Public: no token needed.";
  if (access === "optional") return "Public; a valid token, when sent, identifies the caller.";
  const who = access.length === 3
    ? "anyone signed in"
    : access.map((r) => ({ ADMIN: "admins", ACADEMIC: "academics", STUDENT: "students" })[r]).join(" and ");
  const mfa = access.includes("ADMIN")
    ? allowWithoutMfa
      ? " Admins may call it before completing two-factor sign-in."
      : " Admins need two-factor sign-in."
    : "";
  return `Access: ${who}.${mfa}`;
}

/** The manifest of core's `/v1` routes, read from the extension fields of core's document. */
export function manifestOf(coreDocument: Json): ApiManifest {
  const routes: ManifestRoute[] = [];
  for (const [path, item] of Object.entries<Json>(coreDocument.paths ?? {})) {
    if (!path.startsWith("/v1/")) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const access = op[EXTENSION.access] as Access | undefined;
      if (access === undefined) {
        throw new Error(
          `${method.toUpperCase()} ${path} declares no access: add ...contract({ access }) to it`,
        );
      }
      const route: ManifestRoute = {
        method: method.toUpperCase() as ManifestRoute["method"],
        path: "",
        access,
      };
      route.path = edgePathOf(path);
      if (op[EXTENSION.allowWithoutMfa]) route.allowWithoutMfa = true;
      if (op[EXTENSION.rateLimit]) route.rateLimit = op[EXTENSION.rateLimit] as RouteRateLimitClass;
      if (op[EXTENSION.cache]) route.cache = op[EXTENSION.cache] as Cacheability;
      routes.push(route);
    }
  }
  // Literal segments before parameters, so a fixed path is matched before a pattern that would also match it.
  const key = (r: ManifestRoute) => r.path.replace(/:[^/]+/g, "~") + " " + r.method;
  routes.sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return { generated: "by `deno task api:generate` from core's route declarations; do not edit", routes };
}

/** The public document: what `/api/v1/openapi.json` serves and the typed client is generated from. */
export function publicDocumentOf(coreDocument: Json, version: string): Json {
  const doc: Json = structuredClone(coreDocument);
  const paths: Json = {};
  const schemas: Json = doc.components?.schemas ?? {};
  schemas.Error = {
    ...(schemas.Error ?? {}),
    description: "The one shape of every error body; `code` is one of the codes listed in the error model.",
    example: ERROR_EXAMPLE,
  };
  const usedTags = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith("/v1/")) continue; // core-internal: JWKS for the edge, core's own document
    const publicPath = `/api${path}`;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const access = op[EXTENSION.access] as Access;
      const first = path.split("/")[2];
      op.tags = op.tags?.length ? op.tags : [FALLBACK_TAG[first] ?? first];
      for (const t of op.tags) usedTags.add(t);
      op.operationId ??= operationIdOf(method, path);
      op.description = [op.description, describeAccess(access, !!op[EXTENSION.allowWithoutMfa])]
        .filter(Boolean).join("\n\n");
      if (op[EXTENSION.rateLimit]) {
        op.description += ` Rate-limit class \`${op[EXTENSION.rateLimit]}\`.`;
      }
      op.security ??= access === "public"
        ? []
        : access === "optional"
        ? [{}, { bearer: [] }]
        : [{ bearer: [] }];
      op.responses = withErrors(op.responses ?? {});
      if (op[EXTENSION.created] && op.responses["201"]) {
        op.responses["201"].headers = {
          Location: {
            description: `The created resource: \`${op[EXTENSION.created]}\``,
            schema: { type: "string" },
          },
        };
      }
    }
    paths[publicPath] = item;
  }
  paths["/api/v1/openapi.json"] = {
    get: {
      tags: ["system"],
      operationId: "getOpenapiJson",
      summary: "This document",
      description: "The OpenAPI description of the public API, served by the edge. Public: no token needed.",
      security: [],
      [EXTENSION.access]: "public",
      responses: {
        200: {
          description: "OpenAPI 3.1 document",
          content: { "application/json": { schema: { type: "object" } } },
        },
        ...withErrors({}),
      },
    },
  };
  usedTags.add("system");
  const unknownTags = [...usedTags].filter((t) => !TAGS.some((x) => x.name === t));
  if (unknownTags.length > 0) throw new Error(`tags without a description: ${unknownTags.join(", ")}`);
  return {
    openapi: "3.1.0",
    info: {
      title: "AI Teacher API",
      version,
      summary: "Courses, documents, a tutor that cites them, exams and grading.",
      description: [
        "The public API as clients call it at the edge. Every error has one body shape (`Error`);",
        "sign in with `POST /api/v1/auth/login` and send the `accessToken` as `Authorization: Bearer <token>`.",
        "Lists answer `{ items, nextCursor }`: pass `nextCursor` back as `cursor` for the next page.",
      ].join(" "),
    },
    // Relative: the edge that serves the document (`deno task dev`: http://localhost:8080).
    servers: [{ url: "/", description: "The edge that serves this document" }],
    tags: TAGS.filter((t) => usedTags.has(t.name)),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)),
    components: {
      ...doc.components,
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The `accessToken` of a sign-in or refresh answer (EdDSA, 15 minutes).",
        },
        refreshCookie: {
          type: "apiKey",
          in: "cookie",
          name: "refresh_token",
          description: "The HttpOnly refresh cookie set at sign-in (or `refreshToken` in the body).",
        },
      },
    },
  };
}

/**
 * A route's responses with every error status documented with the one error shape: the ones the route declares,
 * and the ones any route may give (bad input, no or bad token, role or scope, not found or outside the scope,
 * conflicts with the current state, rate limits and quotas, an unexpected error).
 */
function withErrors(responses: Json): Json {
  const statuses = new Set(Object.keys(responses).filter((s) => Number(s) >= 400));
  for (const s of UNIVERSAL_ERRORS) statuses.add(s);
  const out: Json = {};
  for (const [status, response] of Object.entries<Json>(responses)) {
    if (Number(status) < 400) out[status] = response;
  }
  for (const status of [...statuses].sort()) {
    const declared = responses[status];
    out[status] = {
      description: declared?.description ?? ERROR_DESCRIPTIONS[status] ?? "Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return out;
}

const UNIVERSAL_ERRORS = ["400", "401", "403", "404", "409", "429", "500", "503"];
