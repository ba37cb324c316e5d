/**
 * Headers that every response of a request carries whatever produced it (the request id, the edge's security,
 * CORS and rate-limit headers), collected while the request is handled and put on the response once.
 *
 * Why not `c.res.headers.set(...)` after `next()`: in Deno each Response builds its wire headers when it is made,
 * and touching `.headers` afterwards throws that work away; every set also validates and scans the whole list.
 * A handler that builds its response from scratch (the edge cache's HIT) asks for `responseWithHeaders`, which
 * builds it once with everything; any other response gets the headers applied by `applyResponseHeaders`, called
 * once by the request context when the request completes.
 */
import type { Context } from "hono";

/** One header change: set (replacing the handler's value), appended (`Vary`), or removed (`X-Powered-By`). */
interface PendingHeader {
  name: string;
  lower: string;
  value: string;
  op: "set" | "append" | "delete";
}

/**
 * Whose headers they are: a request's Hono context, or any object standing for one request (the edge's fast path
 * answers without a context).
 */
export type HeaderOwner = object;

const pendingByContext = new WeakMap<HeaderOwner, PendingHeader[]>();
/** Responses built by `responseWithHeaders`: they carry every pending header already. */
const complete = new WeakSet<Response>();

function pendingOf(c: HeaderOwner): PendingHeader[] {
  let pending = pendingByContext.get(c);
  if (!pending) pendingByContext.set(c, pending = []);
  return pending;
}

/** Puts `name: value` on this request's response, replacing the handler's value and any earlier pending one. */
export function setResponseHeader(c: HeaderOwner, name: string, value: string): void {
  const pending = pendingOf(c);
  const lower = name.toLowerCase();
  for (const p of pending) {
    if (p.lower === lower && p.op !== "append") {
      p.value = value;
      p.op = "set";
      return;
    }
  }
  pending.push({ name, lower, value, op: "set" });
}

/** `setResponseHeader` for each of `headers` (names distinct), in one step. */
export function setResponseHeaders(c: HeaderOwner, headers: readonly (readonly [string, string])[]): void {
  const pending = pendingOf(c);
  if (pending.length > 0) {
    for (const [name, value] of headers) setResponseHeader(c, name, value);
    return;
  }
  for (const [name, value] of headers) pending.push({ name, lower: name.toLowerCase(), value, op: "set" });
}

/** Appends `name: value` to this request's response (for list headers such as `Vary`), unless already listed. */
export function appendResponseHeader(c: HeaderOwner, name: string, value: string): void {
  pendingOf(c).push({ name, lower: name.toLowerCase(), value, op: "append" });
}

/** Removes `name` from this request's response (a header the handler must not pass on). */
export function removeResponseHeader(c: HeaderOwner, name: string): void {
  const pending = pendingOf(c);
  const lower = name.toLowerCase();
  const i = pending.findIndex((p) => p.lower === lower);
  if (i >= 0) pending.splice(i, 1);
  pending.push({ name, lower, value: "", op: "delete" });
}

/**
 * A response with `headers` plus every pending header (pending ones win over same-named ones in `headers`), built
 * once; `applyResponseHeaders` leaves it alone.
 */
export function responseWithHeaders(
  c: HeaderOwner,
  body: BodyInit | null,
  init: { status: number; headers: [string, string][] },
): Response {
  const pending = pendingByContext.get(c);
  let headers = init.headers;
  if (pending?.length) {
    const replaced = new Set<string>();
    for (const p of pending) if (p.op !== "append") replaced.add(p.lower);
    headers = headers.filter(([h]) => !replaced.has(h.toLowerCase()));
    for (const p of pending) {
      if (p.op === "set") headers.push([p.name, p.value]);
      else if (
        p.op === "append" && !headers.some(([h, v]) => h.toLowerCase() === p.lower && listed(v, p.value))
      ) {
        headers.push([p.name, p.value]);
      }
    }
  }
  const res = new Response(body, { status: init.status, headers });
  complete.add(res);
  return res;
}

/** Puts the pending headers on `c.res` unless it was built with them. */
export function applyResponseHeaders(c: Context): void {
  const pending = pendingByContext.get(c);
  if (!pending?.length || complete.has(c.res)) return;
  const headers = c.res.headers;
  for (const p of pending) {
    if (p.op === "set") headers.set(p.name, p.value);
    else if (p.op === "delete") headers.delete(p.name);
    else if (!listed(headers.get(p.name), p.value)) headers.append(p.name, p.value);
  }
}

/** Whether a comma-separated header value already lists `token` (so `Vary: Origin` is not added twice). */
function listed(value: string | null, token: string): boolean {
  if (!value) return false;
  const wanted = token.toLowerCase();
  return value.split(",").some((t) => t.trim().toLowerCase() === wanted);
}
