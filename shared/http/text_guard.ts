import type { MiddlewareHandler } from "hono";
import { ErrorCode } from "../errors.ts";
import { errorResponse } from "./errors.ts";

/**
 * Whether a string is text the database can store: no NUL (U+0000, which Postgres text cannot hold) and no lone
 * UTF-16 surrogate (not encodable as UTF-8).
 */
export function isStorableText(value: string): boolean {
  return !value.includes("\u0000") && value.isWellFormed();
}

/** The dotted path of the first string (key or value) in `value` that is not storable text, if any. */
export function findUnstorableText(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === "string") return isStorableText(value) ? undefined : path.join(".") || "(body)";
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], [...path, String(i)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (!isStorableText(key)) return [...path, key].join(".");
      const found = findUnstorableText(inner, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function decodedSegments(path: string): string[] {
  return path.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment; // Not decodable: the router and validators see it raw, which is storable.
    }
  });
}

const MESSAGE = "Text must not contain NUL characters or unpaired surrogates";

/**
 * Refuses, with the one 400 validation shape, any request whose path segments, query parameters, JSON body or
 * text body (CSV rosters) carry a NUL character or a lone surrogate: such strings would otherwise reach the
 * database and fail there as a 500. One place for every route, before any handler or validator runs. Streamed
 * bodies (`skipBody`, signed uploads) are not read.
 */
export function rejectUnstorableText(
  options: { skipBody?: (path: string) => boolean } = {},
): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const fail = (where: string, path: string) =>
      errorResponse(c, ErrorCode.VALIDATION_FAILED, `Invalid request ${where}`, {
        details: [{ path, message: MESSAGE }],
      });
    const badSegment = decodedSegments(url.pathname).findIndex((s) => !isStorableText(s));
    if (badSegment >= 0) return fail("param", `segment ${badSegment}`);
    for (const [key, value] of url.searchParams) {
      if (!isStorableText(key) || !isStorableText(value)) return fail("query", key);
    }
    const type = c.req.header("content-type")?.toLowerCase() ?? "";
    const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
    if (hasBody && !options.skipBody?.(c.req.path)) {
      // Read as bytes (and cached so): the edge assertion's digest is checked on the very bytes received.
      const text = type.includes("json") || type.startsWith("text/")
        ? new TextDecoder().decode(await c.req.arrayBuffer())
        : "";
      if (type.includes("json")) {
        let parsed: unknown;
        try {
          parsed = text === "" ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined; // Malformed JSON: the route's validator answers it.
        }
        const found = findUnstorableText(parsed);
        if (found !== undefined) return fail("body", found);
      } else if (type.startsWith("text/")) {
        if (!isStorableText(text)) return fail("body", "(body)");
      }
    }
    await next();
  };
}
