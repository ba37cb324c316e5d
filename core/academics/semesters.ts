/** Semesters of a faculty. Anyone signed in reads them; only admins change them. */
import { and, eq, getTableColumns, isNull } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { courses, faculties, semesters } from "../../shared/db/schema/academics.ts";
import { errors } from "../../shared/errors.ts";
import { iso, type ScopedContext } from "./context.ts";
import { assertIncludeDeletedAllowed } from "./faculties.ts";
import { afterCursor, orderOf, pageOf, resolveSort, sortKeyOf } from "./pagination.ts";

/** A semester as the API returns it. */
export const Semester = z.object({
  id: z.uuid(),
  facultyId: z.uuid(),
  name: z.string(),
  startsOn: z.string().openapi({ example: "2026-09-01" }),
  endsOn: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
}).openapi("Semester");
/** A semester as the API returns it. */
export type Semester = z.infer<typeof Semester>;

const fields = {
  facultyId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  startsOn: z.iso.date(),
  endsOn: z.iso.date(),
  active: z.boolean().default(false),
};
/** Body of `POST /v1/semesters`. */
export const SemesterCreate = z.object(fields).refine((s) => s.endsOn >= s.startsOn, {
  message: "endsOn must not be before startsOn",
  path: ["endsOn"],
});
/** Body of `PATCH /v1/semesters/:id` (the faculty never changes). */
export const SemesterPatch = z.object({
  name: fields.name.optional(),
  startsOn: fields.startsOn.optional(),
  endsOn: fields.endsOn.optional(),
  active: z.boolean().optional(),
});

const SORTS = {
  startsOn: { column: semesters.startsOn, type: "date" },
  name: { column: semesters.name, type: "text" },
  createdAt: { column: semesters.createdAt, type: "timestamptz" },
} as const;

type Row = typeof semesters.$inferSelect;

function toApi(row: Row): Semester {
  return {
    id: row.id,
    facultyId: row.facultyId,
    name: row.name,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    active: row.active,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    deletedAt: iso(row.deletedAt),
  };
}

function requireCatalogAdmin(ctx: ScopedContext): void {
  if (!ctx.scope.canManageCatalog()) throw errors.forbidden("Only admins manage faculties and semesters");
}

/** Lists semesters by cursor, filtered by faculty and active flag. */
export async function listSemesters(
  ctx: ScopedContext,
  query: {
    limit: number;
    cursor?: string;
    sort?: string;
    facultyId?: string;
    active?: boolean;
    includeDeleted: boolean;
  },
): Promise<{ items: Semester[]; nextCursor: string | null }> {
  assertIncludeDeletedAllowed(ctx, query.includeDeleted);
  const sort = resolveSort(SORTS, query.sort, "-startsOn");
  const rows = await ctx.tx.select({ ...getTableColumns(semesters), sortKey: sortKeyOf(sort) }).from(
    semesters,
  )
    .where(and(
      query.includeDeleted ? undefined : isNull(semesters.deletedAt),
      query.facultyId ? eq(semesters.facultyId, query.facultyId) : undefined,
      query.active === undefined ? undefined : eq(semesters.active, query.active),
      afterCursor(sort, semesters.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, semesters.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
}

async function findSemester(ctx: ScopedContext, id: string, includeDeleted: boolean): Promise<Row> {
  const [row] = await ctx.tx.select().from(semesters)
    .where(and(eq(semesters.id, id), includeDeleted ? undefined : isNull(semesters.deletedAt))).limit(1);
  if (!row) throw errors.notFound(`Semester "${id}"`);
  return row;
}

/** One live semester (or a deleted one for admins asking `includeDeleted`). */
export async function getSemester(ctx: ScopedContext, id: string, includeDeleted = false): Promise<Semester> {
  assertIncludeDeletedAllowed(ctx, includeDeleted);
  return toApi(await findSemester(ctx, id, includeDeleted));
}

async function requireLiveFaculty(ctx: ScopedContext, facultyId: string): Promise<void> {
  const [faculty] = await ctx.tx.select({ id: faculties.id }).from(faculties)
    .where(and(eq(faculties.id, facultyId), isNull(faculties.deletedAt))).limit(1);
  if (!faculty) throw errors.badRequest(`Faculty "${facultyId}" does not exist or is deleted`);
}

/** Creates a semester in a live faculty (admins). */
export async function createSemester(
  ctx: ScopedContext,
  input: z.infer<typeof SemesterCreate>,
): Promise<Semester> {
  requireCatalogAdmin(ctx);
  await requireLiveFaculty(ctx, input.facultyId);
  const [row] = await ctx.tx.insert(semesters).values(input).returning();
  await ctx.audit({ action: "semester.create", target: `semester:${row.id}`, metadata: { ...input } });
  return toApi(row);
}

/** Changes a semester's name, dates or active flag (admins). */
export async function updateSemester(
  ctx: ScopedContext,
  id: string,
  patch: z.infer<typeof SemesterPatch>,
): Promise<Semester> {
  requireCatalogAdmin(ctx);
  const before = await findSemester(ctx, id, false);
  if (Object.values(patch).every((v) => v === undefined)) return toApi(before);
  const startsOn = patch.startsOn ?? before.startsOn;
  const endsOn = patch.endsOn ?? before.endsOn;
  if (endsOn < startsOn) throw errors.badRequest("endsOn must not be before startsOn");
  const [row] = await ctx.tx.update(semesters).set(patch).where(eq(semesters.id, id)).returning();
  await ctx.audit({
    action: "semester.update",
    target: `semester:${id}`,
    metadata: {
      before: { name: before.name, startsOn: before.startsOn, endsOn: before.endsOn, active: before.active },
      after: patch,
    },
  });
  return toApi(row);
}

/** Soft-deletes a semester (admins); refused while it has live courses. */
export async function deleteSemester(ctx: ScopedContext, id: string): Promise<void> {
  requireCatalogAdmin(ctx);
  await findSemester(ctx, id, false);
  const [course] = await ctx.tx.select({ id: courses.id }).from(courses)
    .where(and(eq(courses.semesterId, id), isNull(courses.deletedAt))).limit(1);
  if (course) throw errors.conflict("Delete the semester's courses first");
  await ctx.tx.update(semesters).set({ deletedAt: new Date() }).where(eq(semesters.id, id));
  await ctx.audit({ action: "semester.delete", target: `semester:${id}` });
}

/** Restores a soft-deleted semester (admins); its faculty must be live. */
export async function restoreSemester(ctx: ScopedContext, id: string): Promise<Semester> {
  requireCatalogAdmin(ctx);
  const row = await findSemester(ctx, id, true);
  if (!row.deletedAt) return toApi(row);
  const [faculty] = await ctx.tx.select({ id: faculties.id }).from(faculties)
    .where(and(eq(faculties.id, row.facultyId), isNull(faculties.deletedAt))).limit(1);
  if (!faculty) throw errors.conflict("Restore the semester's faculty first");
  const [restored] = await ctx.tx.update(semesters).set({ deletedAt: null }).where(eq(semesters.id, id))
    .returning();
  await ctx.audit({ action: "semester.restore", target: `semester:${id}` });
  return toApi(restored);
}
