import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamps } from "./columns.ts";

/** Small key/value settings the system keeps about itself (schema facts, bootstrap markers). */
export const systemSettings = pgTable("system_settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  ...timestamps(),
});
