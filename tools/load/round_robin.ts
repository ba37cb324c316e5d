/**
 * A round-robin TCP relay standing in for the load balancer in front of a tier's replicas: each new connection goes
 * to the next target, and a target that refuses the connection (a killed replica) is skipped for that connection.
 */
export class RoundRobinProxy {
  readonly port: number;
  targets: number[] = [];
  #next = 0;
  #listener: Deno.Listener;
  #conns = new Set<Deno.Conn>();

  constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#serve().catch(() => {});
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async #connect(): Promise<Deno.Conn> {
    let lastError: unknown = new Error("no targets");
    for (let tried = 0; tried < this.targets.length; tried++) {
      const port = this.targets[this.#next++ % this.targets.length];
      try {
        const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
        upstream.setNoDelay(true);
        return upstream;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  async #serve() {
    for await (const client of this.#listener) {
      // A relay passes on each chunk as it comes: with Nagle's algorithm on, a small chunk written while the last
      // is unacknowledged waits for the peer's delayed ACK (40 ms on Linux). Load balancers set TCP_NODELAY too.
      (client as Deno.TcpConn).setNoDelay(true);
      this.#conns.add(client);
      this.#connect().then((upstream) => {
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
        try {
          client.close();
        } catch { /* already closed */ }
      });
    }
  }

  close(): void {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }
}
