/**
 * FAKE QDRANT, for tests only. No Qdrant server can run on these machines, so this in-process HTTP server speaks
 * the part of Qdrant's REST API that `@qdrant/js-client-rest` uses here: collections (exists, create, get),
 * payload indexes, points upsert / query / delete / count, with `{result, status, time}` envelopes, real cosine
 * scoring and Qdrant's filter semantics (must / must_not / should; match value / any). It keeps what it was asked
 * (collection configs, indexes) so tests can check them, and can be switched to fail like a server that is down.
 */
import { cosine } from "./cosine.ts";

type Point = { id: string | number; vector: number[]; payload: Record<string, unknown> };
// deno-lint-ignore no-explicit-any
type Condition = any;
type Filter = { must?: Condition[]; must_not?: Condition[]; should?: Condition[] };

/** What the fake remembers about a collection. */
export interface FakeCollection {
  config: Record<string, unknown>;
  size: number;
  indexes: Record<string, unknown>;
  points: Map<string, Point>;
}

/** A running fake Qdrant. */
export interface FakeQdrant {
  url: string;
  collections: Map<string, FakeCollection>;
  /** While true every request answers 503, like a server that is down. */
  failing: boolean;
  /** Requests seen, as `METHOD /path`. */
  requests: string[];
  close(): Promise<void>;
}

function matches(point: Point, condition: Condition): boolean {
  if (condition.must || condition.must_not || condition.should) return passes(point, condition);
  if (condition.has_id) return condition.has_id.map(String).includes(String(point.id));
  const value = point.payload[condition.key];
  const values = Array.isArray(value) ? value : [value];
  const match = condition.match ?? {};
  if ("value" in match) return values.includes(match.value);
  if ("any" in match) return values.some((v) => match.any.includes(v));
  if ("except" in match) return !values.some((v) => match.except.includes(v));
  throw new Error(`Fake Qdrant does not understand condition ${JSON.stringify(condition)}`);
}

function passes(point: Point, filter?: Filter): boolean {
  if (!filter) return true;
  if (filter.must && !filter.must.every((c) => matches(point, c))) return false;
  if (filter.must_not && filter.must_not.some((c) => matches(point, c))) return false;
  if (filter.should && filter.should.length && !filter.should.some((c) => matches(point, c))) return false;
  return true;
}

/** Starts a fake Qdrant on a free port; `apiKey` set means requests must carry it in `api-key`. */
export function startFakeQdrant(options: { apiKey?: string } = {}): FakeQdrant {
  const collections = new Map<string, FakeCollection>();
  const state = { failing: false };
  const requests: string[] = [];

  const ok = (result: unknown) => Response.json({ result, status: "ok", time: 0.0001 });
  const error = (status: number, message: string) =>
    Response.json({ status: { error: message }, time: 0.0001 }, { status });

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    requests.push(`${req.method} ${url.pathname}`);
    if (state.failing) return error(503, "Service unavailable (fake is failing on purpose)");
    if (options.apiKey && req.headers.get("api-key") !== options.apiKey) return error(401, "Invalid api-key");
    const body = req.method === "GET" ? undefined : await req.json().catch(() => ({}));
    const parts = url.pathname.split("/").filter(Boolean);

    if (parts.length === 0) return Response.json({ title: "qdrant - fake", version: "1.15.0" });
    if (parts[0] !== "collections" || !parts[1]) return error(404, `Not found: ${url.pathname}`);
    const name = decodeURIComponent(parts[1]);
    const collection = collections.get(name);
    const rest = parts.slice(2).join("/");

    if (rest === "exists" && req.method === "GET") return ok({ exists: !!collection });
    if (rest === "" && req.method === "PUT") {
      if (collection) return error(409, `Wrong input: Collection \`${name}\` already exists!`);
      const size = body.vectors?.size;
      if (typeof size !== "number") return error(400, "Wrong input: vectors.size is required");
      collections.set(name, { config: body, size, indexes: {}, points: new Map() });
      return ok(true);
    }
    if (!collection) return error(404, `Not found: Collection \`${name}\` doesn't exist!`);
    if (rest === "" && req.method === "GET") {
      return ok({
        status: "green",
        points_count: collection.points.size,
        config: {
          params: {
            vectors: collection.config.vectors,
            shard_number: collection.config.shard_number ?? 1,
            replication_factor: collection.config.replication_factor ?? 1,
          },
        },
        payload_schema: collection.indexes,
      });
    }
    if (rest === "index" && req.method === "PUT") {
      collection.indexes[body.field_name] = body.field_schema;
      return ok({ operation_id: 1, status: "completed" });
    }
    if (rest === "points" && req.method === "PUT") {
      for (const p of body.points as Point[]) {
        if (p.vector.length !== collection.size) {
          return error(
            400,
            `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${p.vector.length}`,
          );
        }
        collection.points.set(String(p.id), { ...p, payload: p.payload ?? {} });
      }
      return ok({ operation_id: 1, status: "completed" });
    }
    if (rest === "points/query" && req.method === "POST") {
      const vector = body.query as number[];
      const hits = [...collection.points.values()]
        .filter((p) => passes(p, body.filter))
        .map((p) => ({ id: p.id, version: 0, score: cosine(vector, p.vector), payload: p.payload }))
        .sort((a, b) => b.score - a.score)
        .slice(0, body.limit ?? 10)
        .map((h) => body.with_payload ? h : { ...h, payload: undefined });
      return ok({ points: hits });
    }
    if (rest === "points/delete" && req.method === "POST") {
      for (const [id, p] of collection.points) {
        const byId = body.points ? body.points.map(String).includes(id) : false;
        if (byId || (body.filter && passes(p, body.filter))) collection.points.delete(id);
      }
      return ok({ operation_id: 1, status: "completed" });
    }
    if (rest === "points/count" && req.method === "POST") {
      return ok({ count: [...collection.points.values()].filter((p) => passes(p, body.filter)).length });
    }
    return error(404, `Fake Qdrant has no route ${req.method} ${url.pathname}`);
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    collections,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    requests,
    close: () => server.shutdown(),
  };
}
