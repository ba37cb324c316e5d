import type { Logger } from "../logger.ts";

/** One server to start: a name for logs, where to listen, and its fetch handler. */
export interface ServeOptions {
  name: string;
  port: number;
  hostname: string;
  handler: (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
  logger: Logger;
}

/** Starts a server and returns it once it listens (port 0 picks a free port). */
export function startServer(options: ServeOptions): Promise<Deno.HttpServer<Deno.NetAddr>> {
  return new Promise((resolve) => {
    const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
      port: options.port,
      hostname: options.hostname,
      onListen: (addr) => {
        options.logger.info("listening", { url: `http://${displayHost(addr.hostname)}:${addr.port}` });
        queueMicrotask(() => resolve(server));
      },
    }, options.handler);
  });
}

/** Host to print for a listening address (0.0.0.0 is reachable as localhost). */
export function displayHost(hostname: string): string {
  return hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
}

/** Serves until SIGINT/SIGTERM, then drains in-flight requests and runs `onShutdown`. */
export async function serveUntilSignal(
  options: ServeOptions & { onShutdown?: () => Promise<void> },
): Promise<void> {
  const server = await startServer(options);
  const stop = async () => {
    options.logger.info("shutting down");
    await server.shutdown();
    await options.onShutdown?.();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
}
