/** Faculties: the catalog's top level. Anyone signed in reads it; only admins change it. */
import { and, eq, getTableColumns, ilike, isNull, or } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { courses, faculties, semesters } from "../../shared/db/schema/academics.ts";
import { errors } from "../../shared/errors.ts";
import { isUniqueViolation } from "../../shared/db/client.ts";
import { iso, type ScopedContext } from "./context.ts";
import { afterCursor, containsPattern, orderOf, pageOf, resolveSort, sortKeyOf } from "./pagination.ts";

/** A faculty as the API returns it. */
export const Faculty = z.object({
  id: z.uuid(),
  name: z.string(),
  code: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
}).openapi("Faculty");
/** A faculty as the API returns it. */
export type Faculty = z.infer<typeof Faculty>;

/** Body of `POST /v1/faculties`. */
export const FacultyCreate = z.object({
  name: z.string().trim().min(1).max(200),
  code: z.string().trim().min(1).max(32),
});
/** Body of `PATCH /v1/faculties/:id`. */
export const FacultyPatch = FacultyCreate.partial();

const SORTS = {
  name: { column: faculties.name, type: "text" },
  code: { column: faculties.code, type: "text" },
  createdAt: { column: faculties.createdAt, type: "timestamptz" },
} as const;

type Row = typeof faculties.$inferSelect;

function toApi(row: Row): Faculty {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    deletedAt: iso(row.deletedAt),
  };
}

/** Requires the admin-only `includeDeleted` view to come from an admin. */
export function assertIncludeDeletedAllowed(ctx: ScopedContext, includeDeleted: boolean): void {
  if (includeDeleted && !ctx.scope.isAdmin) throw errors.forbidden("Only admins may list deleted rows");
}

/** Lists faculties by cursor, optionally filtered by a name/code search. */
export async function listFaculties(
  ctx: ScopedContext,
  query: { limit: number; cursor?: string; sort?: string; q?: string; includeDeleted: boolean },
): Promise<{ items: Faculty[]; nextCursor: string | null }> {
  assertIncludeDeletedAllowed(ctx, query.includeDeleted);
  const sort = resolveSort(SORTS, query.sort, "name");
  const rows = await ctx.tx.select({ ...getTableColumns(faculties), sortKey: sortKeyOf(sort) }).from(
    faculties,
  )
    .where(and(
      query.includeDeleted ? undefined : isNull(faculties.deletedAt),
      query.q
        ? or(ilike(faculties.name, containsPattern(query.q)), ilike(faculties.code, containsPattern(query.q)))
        : undefined,
      afterCursor(sort, faculties.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, faculties.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
}

async function findFaculty(ctx: ScopedContext, id: string, includeDeleted: boolean): Promise<Row> {
  const [row] = await ctx.tx.select().from(faculties)
    .where(and(eq(faculties.id, id), includeDeleted ? undefined : isNull(faculties.deletedAt))).limit(1);
  if (!row) throw errors.notFound(`Faculty "${id}"`);
  return row;
}

/** One live faculty (or a deleted one for admins asking `includeDeleted`). */
export async function getFaculty(ctx: ScopedContext, id: string, includeDeleted = false): Promise<Faculty> {
  assertIncludeDeletedAllowed(ctx, includeDeleted);
  return toApi(await findFaculty(ctx, id, includeDeleted));
}

function requireCatalogAdmin(ctx: ScopedContext): void {
  if (!ctx.scope.canManageCatalog()) throw errors.forbidden("Only admins manage faculties and semesters");
}

async function writeOrConflict<T>(code: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict(`A live faculty with code "${code}" exists`);
    throw err;
  }
}

/** Creates a faculty (admins). */
export async function createFaculty(
  ctx: ScopedContext,
  input: z.infer<typeof FacultyCreate>,
): Promise<Faculty> {
  requireCatalogAdmin(ctx);
  const [row] = await writeOrConflict(input.code, () => ctx.tx.insert(faculties).values(input).returning());
  await ctx.audit({ action: "faculty.create", target: `faculty:${row.id}`, metadata: { ...input } });
  return toApi(row);
}

/** Renames or recodes a faculty (admins). */
export async function updateFaculty(
  ctx: ScopedContext,
  id: string,
  patch: z.infer<typeof FacultyPatch>,
): Promise<Faculty> {
  requireCatalogAdmin(ctx);
  const before = await findFaculty(ctx, id, false);
  if (Object.values(patch).every((v) => v === undefined)) return toApi(before);
  const [row] = await writeOrConflict(
    patch.code ?? before.code,
    () => ctx.tx.update(faculties).set(patch).where(eq(faculties.id, id)).returning(),
  );
  await ctx.audit({
    action: "faculty.update",
    target: `faculty:${id}`,
    metadata: { before: { name: before.name, code: before.code }, after: patch },
  });
  return toApi(row);
}

/** Soft-deletes a faculty (admins); refused while it has live semesters or courses, so nothing is orphaned. */
export async function deleteFaculty(ctx: ScopedContext, id: string): Promise<void> {
  requireCatalogAdmin(ctx);
  await findFaculty(ctx, id, false);
  const [child] = await ctx.tx.select({ id: semesters.id }).from(semesters)
    .where(and(eq(semesters.facultyId, id), isNull(semesters.deletedAt))).limit(1);
  const [course] = await ctx.tx.select({ id: courses.id }).from(courses)
    .where(and(eq(courses.facultyId, id), isNull(courses.deletedAt))).limit(1);
  if (child || course) throw errors.conflict("Delete the faculty's semesters and courses first");
  await ctx.tx.update(faculties).set({ deletedAt: new Date() }).where(eq(faculties.id, id));
  await ctx.audit({ action: "faculty.delete", target: `faculty:${id}` });
}

/** Restores a soft-deleted faculty (admins). */
export async function restoreFaculty(ctx: ScopedContext, id: string): Promise<Faculty> {
  requireCatalogAdmin(ctx);
  const row = await findFaculty(ctx, id, true);
  if (!row.deletedAt) return toApi(row);
  const [restored] = await writeOrConflict(
    row.code,
    () => ctx.tx.update(faculties).set({ deletedAt: null }).where(eq(faculties.id, id)).returning(),
  );
  await ctx.audit({ action: "faculty.restore", target: `faculty:${id}` });
  return toApi(restored);
}
