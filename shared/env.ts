import { z } from "zod";

/** Raised when configuration is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses configuration once with a zod schema; empty strings count as unset. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = Deno.env.toObject(),
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== "") cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const value = cleaned[String(issue.path[0])];
    return `${name}: ${issue.message}${value === undefined ? "" : ` (got "${value}")`}`;
  });
  throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
}

/** Reads configuration or stops the process with a message naming the bad variables. */
export function loadEnvOrExit<S extends z.ZodType>(
  schema: S,
  source?: Record<string, string | undefined>,
): z.infer<S> {
  try {
    return parseEnv(schema, source);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  }
}

/** Reusable field types for env schemas. */
export const envTypes = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  bool: (fallback: boolean) =>
    z.enum(["true", "false", "1", "0", "yes", "no"]).default(fallback ? "true" : "false").transform((v) =>
      v === "true" || v === "1" || v === "yes"
    ),
  url: () => z.url(),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  logLevel: () => z.enum(["debug", "info", "warn", "error"]).default("info"),
  list: (fallback: string[] = []) =>
    z.string().default(fallback.join(",")).transform((v) =>
      v.split(",").map((s) => s.trim()).filter(Boolean)
    ),
};
