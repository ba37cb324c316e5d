// drizzle-kit configuration: `deno task db:generate` writes SQL migrations from the schema into migrations/.
export default {
  dialect: "postgresql",
  schema: "./shared/db/schema/mod.ts",
  out: "./migrations",
};
