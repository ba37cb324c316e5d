/** Test helpers for core routes: an app on a test database, called as a given user through signed assertions. */
import { signAssertion } from "../shared/assertion.ts";
import type { Database } from "../shared/db/client.ts";
import type { Role } from "../shared/identity.ts";
import { createCheckedCoreApp } from "./testing_contract.ts";
import { loadCoreEnv } from "./env.ts";
import { buildCoreServices } from "./main.ts";

const secret = "jobs-test-secret-".padEnd(40, "x");

/** A core app on `database` and a way to call it as a user with a role. */
export function coreClient(database: Database) {
  const app = createCheckedCoreApp(
    buildCoreServices(loadCoreEnv({ EDGE_ASSERTION_SECRET: secret, LOG_LEVEL: "warn" }), database),
  );
  return async (
    method: string,
    path: string,
    as?: { userId: string; role: Role },
    body?: unknown,
  ): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (as) {
      headers["x-edge-assertion"] = await signAssertion(secret, {
        identity: as,
        method,
        path: path.split("?")[0],
      });
    }
    if (body !== undefined) headers["content-type"] = "application/json";
    return app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
}
