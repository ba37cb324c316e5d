/**
 * A TCP relay a test can cut and restore, to take a real dependency (Postgres, Redis) "down" and bring it back
 * without touching the machine's service.
 */
export class TcpProxy {
  readonly port: number;
  #listener?: Deno.Listener;
  #conns = new Set<Deno.Conn>();
  #stalled = false;
  /** While set, bytes are held in both directions on every connection, new ones included (see `hold()`). */
  #held?: { release: Promise<void>; resolve: () => void };

  constructor(private readonly target: { hostname: string; port: number }, port = 0) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port });
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#serve(listener);
  }

  #serve(listener: Deno.Listener) {
    this.#listener = listener;
    (async () => {
      for await (const client of listener) {
        // Each chunk is passed on as it comes: without TCP_NODELAY a small one written while the last is
        // unacknowledged waits for the peer's delayed ACK (40 ms on Linux), which the real path does not have.
        (client as Deno.TcpConn).setNoDelay(true);
        this.#conns.add(client);
        // Stalled: the connection is accepted and never answered, as behind a dropped route.
        if (this.#stalled) continue;
        Deno.connect(this.target).then((upstream) => {
          upstream.setNoDelay(true);
          this.#conns.add(upstream);
          const close = () => {
            for (const c of [client, upstream]) {
              this.#conns.delete(c);
              try {
                c.close();
              } catch { /* already closed */ }
            }
          };
          client.readable.pipeThrough(this.#gate()).pipeTo(upstream.writable).catch(() => {}).finally(close);
          upstream.readable.pipeThrough(this.#gate()).pipeTo(client.writable).catch(() => {}).finally(close);
        }, () => {
          this.#conns.delete(client);
          client.close();
        });
      }
    })().catch(() => {});
  }

  /** Passes bytes on, except while held: then each chunk waits for `release()`. */
  #gate(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: async (chunk, controller) => {
        while (this.#held) await this.#held.release;
        controller.enqueue(chunk);
      },
    });
  }

  /**
   * Keeps every connection open and accepts new ones, but passes no byte either way until `release()`: the
   * dependency is up and connected yet never answers (a hung server, a proxy holding traffic). Nothing is refused or
   * dropped, so only a timeout of the client's own notices. Released, the held bytes flow on.
   */
  hold(): void {
    if (this.#held) return;
    let resolve!: () => void;
    const release = new Promise<void>((r) => resolve = r);
    this.#held = { release, resolve };
  }

  /** Ends `hold()`: held bytes are passed on, in order. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.resolve();
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
    this.release();
    this.cut();
  }
}
