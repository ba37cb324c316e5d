/**
 * Entry point of the edge on Deno Deploy (`deno task deploy:edge`). Deploy owns the listener and the process
 * lifecycle (no port, no signals), so this only builds the same services and handler as `main.ts` and serves them.
 * Configuration comes from the app's environment variables on Deploy (docs/deploy-edge.md).
 */
import { loadEdgeEnv } from "./env.ts";
import { buildEdgeServices, edgeHandler, startEdgeBackground } from "./main.ts";

const services = buildEdgeServices(loadEdgeEnv());
// Deploy may suspend an idle isolate and its timers; requests then sync the revocation mirror on demand.
startEdgeBackground(services);
Deno.serve(edgeHandler(services));
