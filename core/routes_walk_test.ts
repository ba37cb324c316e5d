import assert from "node:assert/strict";
import { dbTest } from "../shared/db/testing.ts";
import { createTestCore, createTestUser } from "./testing.ts";

// deno-lint-ignore no-explicit-any
type Schema = any;

/** A minimal value that satisfies `schema` (as far as a walk of unknown ids needs: required fields, formats). */
function sample(schema: Schema, components: Record<string, Schema>, depth = 0): unknown {
  if (!schema || depth > 8) return undefined;
  if (schema.$ref) return sample(components[schema.$ref.split("/").at(-1)], components, depth + 1);
  if (schema.allOf) {
    return Object.assign(
      {},
      ...schema.allOf.map((s: Schema) => sample(s, components, depth + 1)),
    );
  }
  if (schema.anyOf ?? schema.oneOf) return sample((schema.anyOf ?? schema.oneOf)[0], components, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        out[key] = sample(schema.properties?.[key], components, depth + 1);
      }
      return out;
    }
    case "array":
      return Array.from(
        { length: schema.minItems ?? 0 },
        () => sample(schema.items, components, depth + 1),
      );
    case "string": {
      if (schema.format === "uuid") return crypto.randomUUID();
      if (schema.format === "email") return `walk-${crypto.randomUUID()}@uni.example`;
      if (schema.format === "date-time") return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === "date") return new Date().toISOString().slice(0, 10);
      if (schema.pattern) return undefined; // Unknown shape: leave it to the validator (400 is fine).
      return "w".repeat(Math.max(schema.minLength ?? 1, 1));
    }
    case "integer":
    case "number":
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case "boolean":
      return false;
    default:
      return undefined;
  }
}

dbTest(
  "[core] every route of the OpenAPI document answers an admin's unknown ids without a 5xx",
  async (database) => {
    // Google sign-in configured (against a key server that is not there), so its route is walked too, not 503.
    const core = createTestCore(database, {
      GOOGLE_CLIENT_ID: "walk.apps.googleusercontent.com",
      GOOGLE_JWKS_URL: "http://127.0.0.1:9/certs",
    });
    const admin = await createTestUser(database, "ADMIN");
    const doc = await (await core.app.request("/openapi.json")).json();
    const components = doc.components?.schemas ?? {};
    const failures: string[] = [];
    let walked = 0;
    for (const [template, operations] of Object.entries<Record<string, Schema>>(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const path = template.replace(/\{[^}]+\}/g, () => crypto.randomUUID());
        const content = operation.requestBody?.content ?? {};
        let body: unknown;
        const headers: Record<string, string> = {};
        if (content["application/json"]) {
          body = sample(content["application/json"].schema, components) ?? {};
        } else if (content["text/csv"]) {
          body = "email,role\nwalk@uni.example,student\n";
          headers["content-type"] = "text/csv";
        }
        const res = await core.asUser(admin).request(method.toUpperCase(), path, body, headers);
        await res.body?.cancel();
        walked++;
        if (res.status >= 500) failures.push(`${method.toUpperCase()} ${template} → ${res.status}`);
      }
    }
    assert.ok(walked > 50, `walked ${walked} operations`);
    assert.deepEqual(failures, []);
  },
);

dbTest(
  "[core] an admin gets 404 for a chat session or tutor policy in a course that does not exist",
  async (database) => {
    const core = createTestCore(database);
    const admin = core.asUser(await createTestUser(database, "ADMIN"));
    const ghost = crypto.randomUUID();
    const session = await admin.request("POST", "/v1/chat/sessions", { courseId: ghost });
    assert.equal(session.status, 404);
    assert.equal((await session.json()).error.code, "NOT_FOUND");
    const policy = await admin.request("PUT", `/v1/courses/${ghost}/tutor-policy`, { policy: "socratic" });
    assert.equal(policy.status, 404);
    await policy.body?.cancel();
    const read = await admin.request("GET", `/v1/courses/${ghost}/tutor-policy`);
    assert.equal(read.status, 404);
    await read.body?.cancel();
  },
);
