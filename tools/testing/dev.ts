/** Starts `deno task dev` as a user would on a fresh machine: embedded defaults, free ports, a new data directory. */
import { freePort } from "../../shared/testing/ports.ts";

/** The running dev process, its three ports and its data directory. */
export interface DevProcess {
  child: Deno.ChildProcess;
  ports: { EDGE_PORT: number; CORE_PORT: number; WORKERS_PORT: number };
  dataDir: string;
}

/**
 * Spawns `deno task dev` with a cleared environment (no DATABASE_URL, no keys) on free ports. `stdout` is piped
 * only when the caller reads it; stderr is always piped.
 */
export async function spawnDev(prefix: string, options: { stdout: "piped" | "null" }): Promise<DevProcess> {
  const dataDir = await Deno.makeTempDir({ prefix });
  const ports = { EDGE_PORT: freePort(), CORE_PORT: freePort(), WORKERS_PORT: freePort() };
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
  };
  for (const [k, v] of Object.entries(ports)) env[k] = String(v);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "dev"],
    cwd: new URL("../..", import.meta.url).pathname,
    env,
    clearEnv: true,
    stdout: options.stdout,
    stderr: "piped",
  }).spawn();
  return { child, ports, dataDir };
}
