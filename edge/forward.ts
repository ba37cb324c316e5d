import type { Context } from "hono";
import { type AssertedRequest, ASSERTION_REPLAYED_HEADER, bodyDigest } from "../shared/assertion.ts";
import { AppError, ErrorCode } from "../shared/errors.ts";

/** Headers that describe one hop and must not be passed on (RFC 9110 §7.6.1), plus ones the edge sets itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-request-id",
  // Only the edge may speak for a caller: a client's own assertion header never reaches core.
  "x-edge-assertion",
  ASSERTION_REPLAYED_HEADER,
]);

/** What a forwarded request needs beyond the incoming one. */
export interface ForwardOptions {
  coreUrl: string;
  /** Path on core, e.g. `/v1/me`. */
  path: string;
  requestId: string;
  clientIp: string;
  timeoutMs: number;
  /** Extra headers for core. */
  headers?: Record<string, string>;
  /**
   * Signs the edge→core assertion for the request exactly as it is sent (method, path, query string and the
   * SHA-256 of the buffered body); its headers are added. Not called for streamed bodies, which cannot be hashed
   * before they are sent (signed uploads, whose URL signature is their credential).
   */
  sign?: (request: AssertedRequest) => Promise<Record<string, string>>;
  fetch?: typeof fetch;
  /** Pass the request body through as a stream instead of buffering it (large signed uploads). */
  streamBody?: boolean;
  /** Set on the edge's own second try of a GET or HEAD whose first was delivered twice (see below). */
  retried?: boolean;
}

/** Drops hop-by-hop headers (and any listed in `Connection`). */
export function stripHopByHop(headers: Headers): Headers {
  const out = new Headers();
  const listed = new Set(
    (headers.get("connection") ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
  );
  headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key) && !listed.has(key)) out.append(key, value);
  });
  return out;
}

/** Forwards the request to core and streams core's answer back (so SSE passes through unbuffered). */
export async function forwardToCore(c: Context, options: ForwardOptions): Promise<Response> {
  const incoming = new URL(c.req.url);
  const target = new URL(options.path + incoming.search, options.coreUrl);
  const headers = stripHopByHop(c.req.raw.headers);
  headers.set("x-request-id", options.requestId);
  headers.set("x-forwarded-for", options.clientIp);
  headers.set("x-forwarded-proto", incoming.protocol.replace(":", ""));
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
  const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
  const body = !hasBody ? undefined : options.streamBody ? c.req.raw.body : await c.req.arrayBuffer();
  if (options.sign && !options.streamBody) {
    const signed = await options.sign({
      method: c.req.method,
      // The path as routers see it (decoded), which is how core compares it; the query string as sent.
      path: options.path,
      query: target.search,
      bodySha256: await bodyDigest(body as ArrayBuffer | undefined),
    });
    for (const [k, v] of Object.entries(signed)) headers.set(k, v);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  // A client that goes away while core is still thinking aborts the call to core too. Once core answers, the
  // streamed body carries cancellation on its own, so the listener is removed.
  const onClientGone = () => controller.abort();
  c.req.raw.signal.addEventListener("abort", onClientGone, { once: true });
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(target, {
      method: c.req.method,
      headers,
      body,
      signal: controller.signal,
      redirect: "manual",
      // A streamed request body needs half-duplex (fetch spec); harmless for buffered ones.
      ...(options.streamBody ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (err) {
    if (controller.signal.aborted && !c.req.raw.signal.aborted) {
      throw new AppError(ErrorCode.TIMEOUT, "The core service did not answer in time", { cause: err });
    }
    throw new AppError(ErrorCode.BAD_GATEWAY, "The core service is unreachable", { cause: err });
  } finally {
    clearTimeout(timer);
    c.req.raw.signal.removeEventListener("abort", onClientGone);
  }
  if (res.headers.has(ASSERTION_REPLAYED_HEADER)) {
    // Core refused the assertion as already used. The edge signs each request once and never resends it, so the
    // transport delivered it twice: Deno's fetch resends a request that a reused connection lost before any answer
    // (a replica killed mid-request; the load balancer sends the resend to another one). Whether the first delivery
    // took effect is unknown: the client gets what it gets for any request lost with a replica (502), not a 401 that
    // says its token is bad.
    await res.body?.cancel();
    // A read changes nothing: signed again (a new assertion) and sent once more, the client gets its answer.
    const method = c.req.method;
    if ((method === "GET" || method === "HEAD") && options.sign && !options.retried) {
      return await forwardToCore(c, { ...options, retried: true });
    }
    throw new AppError(
      ErrorCode.BAD_GATEWAY,
      "The core service failed before answering; the request may or may not have taken effect",
    );
  }
  // Core's own headers only: the request's pending ones (CORS, security, request id, limits) are put on after the
  // cache has taken its copy, so a stored entry never carries one request's edge headers (its `Vary: Origin`
  // would make every entry per origin).
  return new Response(res.body, { status: res.status, headers: stripHopByHop(res.headers) });
}
