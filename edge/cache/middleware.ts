import type { Context, MiddlewareHandler } from "hono";
import { type HeaderOwner, responseWithHeaders } from "../../shared/http/response_headers.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import { parseCacheScope, scopeGrantKey, scopeVersionKey } from "../../shared/kv/cache_scope.ts";
import { edgeMetricsOf } from "../metrics.ts";
import type { EdgeServices, EdgeVariables } from "../services.ts";
import {
  type CacheEntry,
  decodeEntry,
  encodeEntry,
  etagMatches,
  fromBase64,
  parseCacheControl,
  STORED_HEADERS,
  toBase64,
} from "./entry.ts";
import { sha256Sync } from "../../shared/crypto.ts";

type EdgeEnvT = ServiceEnv<EdgeVariables>;
type EdgeContext = Context<EdgeEnvT>;
type Outcome = "hit" | "revalidated" | "miss" | "bypass";

/** Headers that would make a response personal if the cache keyed on them; such responses are never stored. */
const PERSONAL_VARY = new Set(["*", "authorization", "cookie"]);

/**
 * Edge cache for what core marks cacheable (contract in docs/edge-cache.md): public catalog GETs by ETag, and
 * per-scope answers (search, cached tutor answers) keyed by request and scope version, served only to users the
 * edge has seen core serve that scope. `private`/`no-store` responses are never stored. Every answer says
 * `X-Cache: HIT | MISS | BYPASS`. When the KV store fails the cache is bypassed; it never causes a 5xx.
 */
export function edgeCache(): MiddlewareHandler<EdgeEnvT> {
  return async (c, next) => {
    const services = c.get("services");
    const { env } = services;
    const method = c.req.method;
    const eligible = env.EDGE_CACHE_ENABLED &&
      (method === "GET" || method === "HEAD" ||
        (method === "POST" && env.EDGE_CACHE_POST_PATHS.includes(c.req.path)));
    const requestCc = parseCacheControl(c.req.header("cache-control"));
    if (!eligible || requestCc.has("no-store")) {
      await next();
      return mark(c, "bypass");
    }
    const key = method === "POST" ? await postCacheKey(c) : cacheKey(c);
    const now = Date.now();
    const local = localOf(services.kv);
    if ((local.uncacheable.get(key) ?? 0) > now) {
      // Core answered this URL private or no-store moments ago: skip the KV round trip.
      await next();
      return mark(c, "bypass");
    }
    let entry: CacheEntry | null = null;
    let kvDown = false;
    if (!requestCc.has("no-cache")) {
      const near = freshLocalEntry(services.kv, key, now, (h) => c.req.header(h));
      if (near) return serve(c, near, "hit", now);
      try {
        entry = decodeCached(await services.kv.get(key));
        if (entry && !varyMatches(entry, c)) entry = null;
        if (entry?.scopes && !(await scopeAllows(services.kv, entry.scopes, c))) entry = null;
      } catch (err) {
        kvDown = true;
        kvFailed(services, err);
      }
    }
    if (entry && entry.freshUntil > now) return serve(c, entry, "hit", now);
    const revalidating = entry?.etag ? entry : null;
    if (revalidating) {
      c.set("forwardHeaders", { ...c.get("forwardHeaders"), "if-none-match": revalidating.etag! });
    }

    await next();

    const res = c.res;
    if (revalidating && res.status === 304) {
      const fresh = freshnessMs(
        parseCacheControl(res.headers.get("cache-control")),
        env.EDGE_CACHE_MAX_TTL_SECONDS,
      );
      const refreshed = { ...revalidating, storedAt: now, freshUntil: now + (fresh ?? 0) };
      await store(services, key, refreshed, env.EDGE_CACHE_STALE_SECONDS);
      if (!refreshed.scopes) local.remember(key, refreshed);
      return serve(c, refreshed, "revalidated", now);
    }
    const scopes = res.headers.get("x-cache-scope");
    const identity = c.get("identity");
    if (scopes) res.headers.delete("x-cache-scope");
    const parsedScopes = scopes ? parseCacheScope(scopes) : null;
    if (parsedScopes && identity && res.status >= 200 && res.status < 300) {
      // Core just served this user the scope's content: remember that they may see it (docs/edge-cache.md).
      const grantMs = env.EDGE_CACHE_GRANT_SECONDS * 1000;
      await Promise.all(
        Object.keys(parsedScopes).map((s) =>
          services.kv.set(scopeGrantKey(identity.userId, s), "1", { ttlMs: grantMs }).catch((err) =>
            kvFailed(services, err)
          )
        ),
      );
    }
    const cc = parseCacheControl(res.headers.get("cache-control"));
    if (cc.has("private") || cc.has("no-store")) local.markUncacheable(key, now);
    const fresh = freshnessMs(cc, env.EDGE_CACHE_MAX_TTL_SECONDS);
    const etag = res.headers.get("etag") ?? undefined;
    const storable = !kvDown && method !== "HEAD" && res.status === 200 && cc.has("public") &&
      !cc.has("private") && !cc.has("no-store") && !cc.has("no-cache") && ((fresh ?? 0) > 0 || etag) &&
      !res.headers.has("set-cookie") && !res.headers.get("content-type")?.includes("text/event-stream") &&
      (!scopes || (parsedScopes && identity)) && !varyNames(res).some((h) => PERSONAL_VARY.has(h)) &&
      Number(res.headers.get("content-length") ?? 0) <= env.EDGE_CACHE_MAX_BYTES;
    if (!storable) return mark(c, kvDown ? "bypass" : "miss", !!parsedScopes);

    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength <= env.EDGE_CACHE_MAX_BYTES) {
      const headers = STORED_HEADERS.flatMap((h) => {
        const v = res.headers.get(h);
        return v === null ? [] : [[h, v] as [string, string]];
      });
      const vary = Object.fromEntries(varyNames(res).map((h) => [h, c.req.header(h) ?? ""]));
      const entry: CacheEntry = {
        status: 200,
        headers,
        body: toBase64(bytes),
        etag,
        storedAt: now,
        freshUntil: now + (fresh ?? 0),
        vary,
        ...(parsedScopes ? { scopes: parsedScopes } : {}),
      };
      await store(services, key, entry, etag ? env.EDGE_CACHE_STALE_SECONDS : 0);
      if (!parsedScopes) local.remember(key, entry);
    }
    c.res = new Response(bytes, { status: res.status, headers: res.headers });
    mark(c, "miss", !!parsedScopes);
  };
}

/**
 * What one edge process remembers in front of the KV store: public (unscoped) entries until they go stale, which is
 * as correct as the shared copy since nothing but time invalidates them, and URLs core just answered `private` or
 * `no-store`, for 30 s. Scoped entries are never kept here: their versions and grants are checked in the KV store
 * on every hit.
 */
class LocalCache {
  static readonly MAX = 1000;
  static readonly UNCACHEABLE_MS = 30_000;
  fresh = new Map<string, CacheEntry>();
  uncacheable = new Map<string, number>();

  remember(key: string, entry: CacheEntry) {
    if (this.fresh.size >= LocalCache.MAX) this.fresh.clear();
    this.fresh.set(key, entry);
  }

  markUncacheable(key: string, now: number) {
    if (this.uncacheable.size >= LocalCache.MAX) this.uncacheable.clear();
    this.uncacheable.set(key, now + LocalCache.UNCACHEABLE_MS);
  }
}

const locals = new WeakMap<KvStore, LocalCache>();

function localOf(kv: KvStore): LocalCache {
  let local = locals.get(kv);
  if (!local) locals.set(kv, local = new LocalCache());
  return local;
}

/** Entries decoded recently, by their stored text: a hot entry is parsed once, not on every hit. */
const decoded = new Map<string, CacheEntry>();
const DECODED_MAX = 512;

function decodeCached(raw: string | null): CacheEntry | null {
  if (raw === null) return null;
  let entry = decoded.get(raw);
  if (!entry) {
    const fresh = decodeEntry(raw);
    if (!fresh) return null;
    entry = fresh;
    if (decoded.size >= DECODED_MAX) decoded.clear();
    decoded.set(raw, entry);
  }
  // Revalidation replaces the entry's times, so callers get a copy they may not share back into this map.
  return { ...entry };
}

/** The KV key of a GET or HEAD: path and query (a HEAD is answered from the GET's entry). */
function cacheKey(c: EdgeContext): string {
  return getCacheKey(c.req.url);
}

/** The KV key of a GET or HEAD of `url` (absolute): its path and query. */
export function getCacheKey(url: string): string {
  return `cache:e:GET:${url.slice(url.indexOf("/", url.indexOf("//") + 2))}`;
}

/**
 * This process's fresh copy of a public entry for `key` when the request's varied-on headers match it (`header`
 * reads the request's headers); undefined otherwise.
 */
export function freshLocalEntry(
  kv: KvStore,
  key: string,
  now: number,
  header: (name: string) => string | null | undefined,
): CacheEntry | undefined {
  const near = localOf(kv).fresh.get(key);
  if (!near || near.freshUntil <= now) return undefined;
  for (const h in near.vary) if ((header(h) ?? "") !== near.vary[h]) return undefined;
  return near;
}

/** The KV key of a cacheable POST: path and query plus a digest of the body. */
async function postCacheKey(c: EdgeContext): Promise<string> {
  const digest = sha256Sync(new Uint8Array(await c.req.arrayBuffer()));
  return `${cacheKey(c).replace(":GET:", ":POST:")}:${toBase64(digest)}`;
}

/** Whether the request has the same values of the headers the stored response varied on. */
function varyMatches(entry: CacheEntry, c: EdgeContext): boolean {
  for (const h in entry.vary) if ((c.req.header(h) ?? "") !== entry.vary[h]) return false;
  return true;
}

/** Whether a scoped entry may answer this caller: every scope at the entry's version, and a grant for each. */
async function scopeAllows(
  kv: KvStore,
  entryScopes: Record<string, number>,
  c: EdgeContext,
): Promise<boolean> {
  const identity = c.get("identity");
  if (!identity) return false;
  const scopes = Object.entries(entryScopes);
  // Issued together so the Upstash client sends them as one pipeline.
  const [versions, grants] = await Promise.all([
    Promise.all(scopes.map(([s]) => kv.get(scopeVersionKey(s)))),
    Promise.all(scopes.map(([s]) => kv.get(scopeGrantKey(identity.userId, s)))),
  ]);
  return scopes.every(([, v], i) => versions[i] === String(v) && grants[i] !== null);
}

/** Answers from an entry: 304 when the client already has it, else the stored response. */
function serve(c: EdgeContext, entry: CacheEntry, outcome: "hit" | "revalidated", now: number): Response {
  c.res = hitResponse(c, entry, {
    now,
    method: c.req.method,
    ifNoneMatch: c.req.header("if-none-match"),
  });
  edgeMetricsOf(c.get("services").metrics).cacheResult[outcome].inc();
  return c.res;
}

/**
 * The response a cached entry answers with, carrying every pending header of `owner`'s request: 304 when the
 * client already has it, else the stored response (no body for HEAD). Shared with the edge's fast path.
 */
export function hitResponse(
  owner: HeaderOwner,
  entry: CacheEntry,
  request: { now: number; method: string; ifNoneMatch: string | null | undefined },
): Response {
  const { status, headers, body } = hitParts(entry, request);
  // Built once, with every header the request's response gets (request id, security, CORS, rate limits): on
  // this hot path that is most of the cost (see shared/http/response_headers.ts).
  return responseWithHeaders(owner, body, { status, headers });
}

/** A cached entry's answer before the request's own headers are added: status, stored headers, `Age`, `X-Cache`. */
export function hitParts(
  entry: CacheEntry,
  request: { now: number; method: string; ifNoneMatch: string | null | undefined },
): { status: number; headers: [string, string][]; body: Uint8Array<ArrayBuffer> | null } {
  const headers: [string, string][] = entry.scopes
    ? entry.headers.filter(([h]) => h !== "cache-control").concat([["cache-control", "private, no-cache"]])
    : entry.headers.slice();
  headers.push(
    ["age", String(Math.max(0, Math.floor((request.now - entry.storedAt) / 1000)))],
    ["x-cache", "HIT"],
  );
  if (etagMatches(request.ifNoneMatch ?? undefined, entry.etag)) return { status: 304, headers, body: null };
  return { status: entry.status, headers, body: request.method === "HEAD" ? null : bodyOf(entry) };
}

const bodies = new WeakMap<object, Uint8Array<ArrayBuffer>>();

/** An entry's body bytes, decoded once per decoded entry (the copy shares its headers array with the original). */
function bodyOf(entry: CacheEntry): Uint8Array<ArrayBuffer> {
  let body = bodies.get(entry.headers);
  if (!body) bodies.set(entry.headers, body = fromBase64(entry.body));
  return body;
}

function mark(c: EdgeContext, outcome: Outcome, scoped = false): void {
  // The client sees HIT for a revalidated entry too: the body came from the edge.
  c.res.headers.set("X-Cache", outcome === "revalidated" ? "HIT" : outcome.toUpperCase());
  // A scoped answer is for members of the scope only: no shared cache downstream may keep it.
  if (scoped) c.res.headers.set("Cache-Control", "private, no-cache");
  edgeMetricsOf(c.get("services").metrics).cacheResult[outcome].inc();
}

/** How long a response stays fresh at the edge: s-maxage, else max-age, capped; undefined when neither is given. */
function freshnessMs(cc: Map<string, string>, maxSeconds: number): number | undefined {
  const raw = cc.get("s-maxage") ?? cc.get("max-age");
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Math.min(Number(raw), maxSeconds) * 1000;
}

function varyNames(res: Response): string[] {
  return (res.headers.get("vary") ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
}

async function store(services: EdgeServices, key: string, entry: CacheEntry, staleSeconds: number) {
  const ttlMs = entry.freshUntil - entry.storedAt + staleSeconds * 1000;
  if (ttlMs <= 0) return;
  try {
    await services.kv.set(key, encodeEntry(entry), { ttlMs });
  } catch (err) {
    kvFailed(services, err);
  }
}

const lastLogged = new WeakMap<KvStore, number>();

/** A KV failure: the cache is bypassed for this request; logged at most once a minute, counted every time. */
function kvFailed(services: EdgeServices, err: unknown): void {
  edgeMetricsOf(services.metrics).kvFallback.inc({ component: "cache" });
  const now = Date.now();
  if (now - (lastLogged.get(services.kv) ?? 0) < 60_000) return;
  lastLogged.set(services.kv, now);
  services.logger.warn("edge cache bypassed: KV store failed", {
    reason: err instanceof Error ? err.message : String(err),
  });
}
