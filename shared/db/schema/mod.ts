/** The whole database schema; drizzle-kit reads this file to generate `migrations/`. */
export * from "./system.ts";
export * from "./users.ts";
export * from "./audit.ts";
export * from "./identity.ts";
export * from "./academics.ts";
export * from "./jobs.ts";
export * from "./notifications.ts";
export * from "./rag.ts";
export * from "./chat.ts";
export * from "./exams.ts";
export * from "./accounts.ts";
export * from "./golden.ts";
