import { timestamp, uuid } from "drizzle-orm/pg-core";

/** Primary key column: a random UUID made by the database when the application gives none. */
export const id = () => uuid("id").primaryKey().defaultRandom();

/** `created_at`, `updated_at` and `deleted_at` (soft delete) carried by every relational table. */
export const timestamps = () => ({
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow()
    .$onUpdate(() => new Date()),
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
});
