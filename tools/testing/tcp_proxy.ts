/**
 * A TCP relay a test can cut and restore, to take a real dependency (Postgres, Redis) "down" and bring it back
 * without touching the machine's service.
 */
export class TcpProxy {
  readonly port: number;
  #listener?: Deno.Listener;
  #conns = new Set<Deno.Conn>();
  #stalled = false;

  constructor(private readonly target: { hostname: string; port: number }, port = 0) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#serve(listener);
  }

  #serve(listener: Deno.Listener) {
    this.#listener = listener;
    (async () => {
      for await (const client of listener) {
        this.#conns.add(client);
        // Stalled: the connection is accepted and never answered, as behind a dropped route.
        if (this.#stalled) continue;
        Deno.connect(this.target).then((upstream) => {
          this.#conns.add(upstream);
          const close = () => {
            for (const c of [client, upstream]) {
              this.#conns.delete(c);
              try {
                c.close();
              } catch { /* already closed */ }
            }
          };
          client.readable.pipeTo(upstream.writable).catch(() => {}).finally(close);
          upstream.readable.pipeTo(client.writable).catch(() => {}).finally(close);
        }, () => {
          this.#conns.delete(client);
          client.close();
        });
      }
    })().catch(() => {});
  }

  /** Stops accepting and drops every open connection: the dependency looks down. */
  cut(): void {
    this.#listener?.close();
    this.#listener = undefined;
    this.#dropConnections();
  }

  /**
   * Drops every open connection and accepts new ones without ever answering them: the dependency is unreachable the
   * way a dropped network route is (connects time out rather than being refused).
   */
  stall(): void {
    this.#stalled = true;
    this.#dropConnections();
    if (!this.#listener) this.#serve(Deno.listen({ hostname: "127.0.0.1", port: this.port }));
  }

  #dropConnections() {
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }

  /** Listens again on the same port (or stops stalling): the dependency is back. */
  restore(): void {
    if (this.#stalled) {
      this.#stalled = false;
      this.#dropConnections();
    }
    if (!this.#listener) this.#serve(Deno.listen({ hostname: "127.0.0.1", port: this.port }));
  }

  close(): void {
    this.cut();
  }
}
