import assert from "node:assert/strict";
import document from "../../shared/api/openapi.json" with { type: "json" };
import manifest from "../../shared/api/manifest.json" with { type: "json" };
import { operationIdOf } from "./public_document.ts";

// deno-lint-ignore no-explicit-any
const doc = document as any;
const operations = Object.entries<Record<string, Record<string, unknown>>>(doc.paths).flatMap((
  [path, item],
) => Object.entries(item).map(([method, op]) => ({ path, method, op: op as Record<string, unknown> })));

Deno.test("operation ids read as method and path, parameters as By<name>", () => {
  assert.equal(operationIdOf("get", "/v1/courses/{id}/exams"), "getCoursesByIdExams");
  assert.equal(operationIdOf("post", "/v1/auth/2fa/enrol"), "postAuth2faEnrol");
  assert.equal(operationIdOf("put", "/v1/courses/{id}/tutor-policy"), "putCoursesByIdTutorPolicy");
});

Deno.test("the public document names every operation once, tags it with a described area and says how to call it", () => {
  const ids = operations.map((o) => o.op.operationId);
  assert.equal(new Set(ids).size, ids.length, "operation ids are unique");
  const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
  for (const { path, method, op } of operations) {
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(path.startsWith("/api/v1/"), where);
    assert.ok((op.tags as string[]).every((t) => tags.has(t)), `${where} has described tags`);
    assert.ok(Array.isArray(op.security), `${where} says which credentials it takes`);
    const access = op["x-access"];
    if (access !== "public") {
      assert.ok(JSON.stringify(op.security).includes("bearer"), `${where} takes a token`);
    }
  }
});

Deno.test("every error response of the public document has the one error shape", () => {
  for (const { path, method, op } of operations) {
    const responses = op.responses as Record<string, { content?: Record<string, { schema: unknown }> }>;
    for (const status of ["400", "401", "403", "404", "429", "500"]) {
      assert.ok(status in responses, `${method} ${path} documents ${status}`);
    }
    for (const [status, response] of Object.entries(responses)) {
      if (Number(status) < 400) continue;
      assert.deepEqual(response.content?.["application/json"]?.schema, {
        $ref: "#/components/schemas/Error",
      });
    }
  }
  assert.ok(doc.components.schemas.Error.example, "the error shape has an example");
});

/** Collection-looking GETs that answer one document, not a list. */
const NOT_LISTS = new Set([
  "/api/v1/me", // the caller's account
  "/api/v1/me/profile",
  "/api/v1/version",
  "/api/v1/system/health", // one report: the tiers and the queue
  "/api/v1/openapi.json",
  "/api/v1/usage", // a report over a bounded date range (from, to), one row per user, course and day
  "/api/v1/chat/sessions/{id}/summary",
  "/api/v1/chat/sessions/{id}/quota", // one figure: the questions left today
  "/api/v1/courses/{id}/tutor-policy",
  "/api/v1/courses/{id}/insight", // a report over bounded windows (weeks, days)
  "/api/v1/exams/{id}/results",
  "/api/v1/exams/{id}/items/{itemId}/source", // one passage: the chunk an item cites
  "/api/v1/auth/oidc/providers", // the deployment's configured sign-in providers: a handful, never paged
  "/api/v1/auth/providers", // which external sign-in is configured: Google and a handful of OIDC providers
  "/api/v1/me/notification-preferences", // one setting per notification kind
  "/api/v1/me/export", // a zip archive
  "/api/v1/users/{id}/export", // a zip archive
  "/api/v1/documents/{id}/file", // a document's bytes
]);

Deno.test("every list of the public document answers { items, nextCursor } and takes limit and cursor", () => {
  let lists = 0;
  for (const { path, method, op } of operations) {
    // A collection: a GET whose path does not end in a parameter.
    if (method !== "get" || /\}$/.test(path) || NOT_LISTS.has(path)) continue;
    lists++;
    // deno-lint-ignore no-explicit-any
    const schema = (op.responses as any)["200"]?.content?.["application/json"]?.schema;
    const resolved = schema?.$ref ? doc.components.schemas[schema.$ref.split("/").at(-1)] : schema;
    assert.deepEqual(Object.keys(resolved?.properties ?? {}).sort(), ["items", "nextCursor"], path);
    const params = ((op.parameters ?? []) as { name: string; in: string }[]).filter((p) => p.in === "query");
    assert.ok(params.some((p) => p.name === "limit"), `${path} takes limit`);
    assert.ok(params.some((p) => p.name === "cursor"), `${path} takes cursor`);
  }
  assert.equal(lists, 19, "the lists the API has today");
});

Deno.test("every 201 answer names the created resource's public URL in Location", () => {
  let creations = 0;
  for (const { path, method, op } of operations) {
    // deno-lint-ignore no-explicit-any
    const created = (op.responses as any)["201"];
    if (!created) continue;
    creations++;
    const where = `${method.toUpperCase()} ${path}`;
    assert.ok(created.headers?.Location, `${where} documents Location on 201`);
    assert.match(String(op["x-created"]), /^\/api\/v1\//, `${where} declares created: with a public URL`);
  }
  assert.ok(creations >= 10, `creations found: ${creations}`);
});

/** The requests of a first session (README, docs/api.md): a newcomer copies these bodies from the reference. */
const FIRST_SESSION = [
  "post /api/v1/auth/register",
  "post /api/v1/auth/login",
  "post /api/v1/courses",
  "post /api/v1/courses/{id}/enrollments",
  "post /api/v1/courses/{id}/documents",
  "post /api/v1/chat/sessions",
  "post /api/v1/chat/sessions/{id}/messages",
  "post /api/v1/search",
];

Deno.test("the first session's requests show an example body (which redocly lint checks against the schema)", () => {
  for (const name of FIRST_SESSION) {
    const [method, path] = name.split(" ");
    // deno-lint-ignore no-explicit-any
    const media = (doc.paths[path]?.[method] as any)?.requestBody?.content?.["application/json"];
    assert.ok(media, `${name} takes a JSON body`);
    const schema = media.schema?.$ref
      ? doc.components.schemas[media.schema.$ref.split("/").at(-1)]
      : media.schema;
    const example = media.example ?? schema?.example;
    assert.ok(example && typeof example === "object", `${name} shows an example body`);
    for (const key of schema?.required ?? []) assert.ok(key in example, `${name}'s example has ${key}`);
  }
});

Deno.test("the manifest lists one row per core route with an access policy", () => {
  const rows = manifest.routes.map((r) => `${r.method} ${r.path}`);
  assert.equal(new Set(rows).size, rows.length);
  for (const r of manifest.routes) assert.ok(r.access, `${r.method} ${r.path}`);
  assert.ok(rows.includes("POST /api/v1/jobs/:id/retry"));
  const retry = manifest.routes.find((r) => r.path === "/api/v1/jobs/:id/retry")!;
  assert.deepEqual(retry.access, ["ADMIN", "ACADEMIC", "STUDENT"], "core checks owner or admin");
});
