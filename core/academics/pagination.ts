/**
 * Keyset (cursor) pagination over one sort column plus the id as tie-breaker. The cursor carries the sort's name
 * and the last row's sort key as Postgres text, so timestamps keep their microseconds and a cursor made for one
 * sort is refused under another.
 */
import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "@hono/zod-openapi";
import { errors } from "../../shared/errors.ts";
import { base64url, fromBase64url } from "../../shared/crypto.ts";

/** A sortable column and the Postgres type its cursor key is cast back to. */
export interface SortColumn {
  column: AnyPgColumn;
  type: "text" | "date" | "timestamptz";
}

/** One resolved sort: which column, which way, under which public name (`name` or `-name`). */
export interface Sort extends SortColumn {
  name: string;
  descending: boolean;
}

/** Query parameters every list endpoint accepts. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Page size (1–100)" }),
  cursor: z.string().max(512).optional().openapi({ description: "`nextCursor` of the previous page" }),
};

/** `includeDeleted=true` (admins only) also lists soft-deleted rows. */
export const includeDeletedQuery = z.enum(["true", "false"]).optional().transform((v) => v === "true");

/** Resolves `sort` (e.g. `-createdAt`) against the allowed columns. */
export function resolveSort(
  allowed: Record<string, SortColumn>,
  requested: string | undefined,
  fallback: string,
): Sort {
  const raw = requested ?? fallback;
  const descending = raw.startsWith("-");
  const name = descending ? raw.slice(1) : raw;
  const column = allowed[name];
  if (!column) {
    throw errors.badRequest(
      `Unknown sort "${raw}"; use one of ${Object.keys(allowed).join(", ")} (prefix - for descending)`,
    );
  }
  return { ...column, name: raw, descending };
}

/** The select field holding each row's sort key. */
export function sortKeyOf(sort: Sort): SQL<string> {
  return sql<string>`${sort.column}::text`;
}

/** Order-by terms for a sort, id last. */
export function orderOf(sort: Sort, idColumn: AnyPgColumn): SQL[] {
  const dir = sql.raw(sort.descending ? "desc" : "asc");
  return [sql`${sort.column} ${dir}`, sql`${idColumn} ${dir}`];
}

/** The where-condition that starts the page after `cursor`, or undefined on the first page. */
export function afterCursor(sort: Sort, idColumn: AnyPgColumn, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const parsed = z.tuple([z.string(), z.string(), z.uuid()]).safeParse(decodeCursor(cursor));
  if (!parsed.success || parsed.data[0] !== sort.name) {
    throw errors.badRequest("Cursor is not valid for this sort");
  }
  const [, key, id] = parsed.data;
  const op = sql.raw(sort.descending ? "<" : ">");
  return sql`(${sort.column}, ${idColumn}) ${op} (${key}::${sql.raw(sort.type)}, ${id}::uuid)`;
}

/** Cuts the `limit + 1` rows fetched into a page and the cursor of the next one. */
export function pageOf<T extends { id: string; sortKey: string }>(
  rows: T[],
  limit: number,
  sort: Sort,
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: encodeCursor([sort.name, last.sortKey, last.id]) };
}

/** A list cursor: the JSON of a position, base64url. */
export function encodeCursor(position: unknown[]): string {
  return base64url(JSON.stringify(position));
}

/**
 * The position a cursor of `encodeCursor` holds; a 400 when it is not one. Cursors written in standard base64
 * (course insight's before they took base64url) are read too: the two alphabets differ only in "+/" and "-_".
 */
export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(
      new TextDecoder().decode(fromBase64url(cursor.replace(/\+/g, "-").replace(/\//g, "_"))),
    );
  } catch {
    throw errors.badRequest("Cursor is not valid");
  }
}

/** A `%…%` pattern for ILIKE that matches `text` literally (its `%`, `_` and `\` escaped). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** A fixed order for lists that take no `sort` parameter (its name goes into the cursor like any sort's). */
export function fixedSort(
  name: string,
  column: AnyPgColumn,
  type: SortColumn["type"],
  descending: boolean,
): Sort {
  return { name, column, type, descending };
}

/** The page parameters every list takes. */
export interface PageParams {
  limit: number;
  cursor?: string;
}
