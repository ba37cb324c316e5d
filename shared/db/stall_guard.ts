/**
 * A circuit breaker for a database that accepts connections and then never answers (a hung server, a black-holed
 * route, a proxy holding traffic). A refused or dropped connection already fails at once (see `unavailable.ts`);
 * a silent one made every request wait, since postgres.js has no client-side query timeout.
 *
 * The guard owns the pool's sockets (postgres.js's `socket` option) and watches each: a reply outstanding longer
 * than `suspectAfterMs` makes it ask, on a connection of its own, whether the server still answers `select 1`
 * within `probeTimeoutMs`. A live server (a long query, a lock wait) is left alone: the server-side
 * `statement_timeout` bounds those. A silent one trips the breaker: every watched socket is destroyed (their
 * queries fail with `DATABASE_STALLED`, which the error handler maps to 503 with `Retry-After`), and for `openMs`
 * new connections fail at once instead of waiting. After that the guard probes again before letting connections
 * through (half-open), so requests keep failing fast until the database answers, then recover on their own.
 * Independently, a reply outstanding longer than `hardTimeoutMs` ends its connection whatever the probe said (a
 * flow dropped on the way while new connections work).
 *
 * A connection counts as waiting from a write until bytes ending in ReadyForQuery come back. Queries pipelined
 * behind a reply that did complete are not seen as waiting until the next write on that connection; in a stall
 * the other connections (and every new query) are, and tripping ends them all.
 */
import net from "node:net";

/** The code of the error queries fail with while the database is stalled (`isDatabaseUnavailable` knows it). */
export const DATABASE_STALLED = "DATABASE_STALLED";

/** When the guard acts. */
export interface StallGuardOptions {
  /** A reply outstanding this long makes the guard probe the server. */
  suspectAfterMs: number;
  /** How long the probe's `select 1` (on a new connection) may take. */
  probeTimeoutMs: number;
  /** After a stall is found, how long new connections fail at once before the guard probes again. */
  openMs: number;
  /** A reply outstanding this long ends its connection even when the server answers probes; 0: never. */
  hardTimeoutMs: number;
  /** Asks the server for `select 1` on a connection of its own; rejects or outlasts `probeTimeoutMs` when stalled. */
  probe: () => Promise<void>;
  /** Told when the breaker opens and closes. */
  onChange?: (state: "open" | "closed") => void;
}

interface Watched {
  socket: net.Socket;
  /** When the oldest unanswered request went out (or the last reply bytes came in); 0 when nothing is awaited. */
  since: number;
}

/** Error with the stalled code, as a socket error postgres.js passes on to the waiting queries. */
function stalledError(message: string): Error {
  return Object.assign(new Error(message), { code: DATABASE_STALLED });
}

/**
 * Ends a connection the database stopped answering on. Destroyed without an error, so postgres.js fails every query
 * it holds with `CONNECTION_CLOSED` when the socket closes, including any sent to it after this call; with an error
 * it would fail only those already sent and leave later ones waiting forever.
 */
function end(socket: net.Socket): void {
  socket.destroy();
}

/** Whether `tail` (the last bytes received) ends with Postgres' ReadyForQuery message: `Z`, length 5, status. */
function endsReady(tail: Uint8Array): boolean {
  const n = tail.length;
  return n >= 6 && tail[n - 6] === 0x5a && tail[n - 5] === 0 && tail[n - 4] === 0 && tail[n - 3] === 0 &&
    tail[n - 2] === 5;
}

/** The breaker and socket watcher of one pool. */
export class StallGuard {
  #watched = new Set<Watched>();
  #openUntil = 0;
  #state: "closed" | "open" = "closed";
  #probing?: Promise<boolean>;
  #timer?: ReturnType<typeof setInterval>;

  constructor(private readonly options: StallGuardOptions) {}

  /** Whether connections currently fail at once. */
  get open(): boolean {
    return this.#state === "open";
  }

  /** For postgres.js's `socket` option: a connecting socket to `host:port` (or `path`), watched; refused when open. */
  connect(target: { host: string; port: number; path?: string }): net.Socket {
    if (this.#state === "open") {
      if (performance.now() >= this.#openUntil) void this.#halfOpen();
      // A socket that fails on the next tick: postgres.js then fails the waiting query and frees the slot.
      const refused = new net.Socket();
      // postgres.js writes its startup message at once: swallowed, so the socket fails with the code below.
      (refused as unknown as { write: () => boolean }).write = () => true;
      setTimeout(() => refused.destroy(stalledError("The database is not answering; failing fast")), 0);
      return refused;
    }
    const socket = target.path ? net.connect(target.path) : net.connect(target.port, target.host);
    const watched: Watched = { socket, since: 0 };
    let tail = new Uint8Array(0);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      if (watched.since === 0) watched.since = performance.now();
      return write(...args);
    };
    socket.on("data", (chunk: Uint8Array) => {
      // The last six bytes received, without copying a large chunk.
      if (chunk.length >= 6) tail = chunk.slice(-6);
      else {
        const joined = new Uint8Array(tail.length + chunk.length);
        joined.set(tail);
        joined.set(chunk, tail.length);
        tail = joined.slice(-6);
      }
      // A complete reply ends in ReadyForQuery: nothing awaited. Part of one: the server is alive, wait on.
      // Bytes nobody awaited (a notification, a parameter status) change nothing.
      if (watched.since !== 0) watched.since = endsReady(tail) ? 0 : performance.now();
    });
    socket.once("close", () => this.#unwatch(watched));
    this.#watched.add(watched);
    this.#tick();
    return socket;
  }

  /** Stops the watcher (the pool is closing). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watched.clear();
  }

  #unwatch(watched: Watched) {
    this.#watched.delete(watched);
    if (this.#watched.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Starts the periodic check while sockets are watched. */
  #tick() {
    if (this.#timer !== undefined) return;
    const every = Math.max(50, Math.min(500, Math.floor(this.options.suspectAfterMs / 4)));
    const timer = setInterval(() => this.#check(), every);
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  #check() {
    const now = performance.now();
    let suspect = false;
    for (const w of this.#watched) {
      if (w.since === 0) continue;
      const waited = now - w.since;
      if (this.options.hardTimeoutMs > 0 && waited > this.options.hardTimeoutMs) {
        end(w.socket);
        this.#unwatch(w);
      } else if (waited > this.options.suspectAfterMs) {
        suspect = true;
      }
    }
    if (suspect && !this.#probing && this.#state === "closed") {
      void this.#answers().then((alive) => {
        if (!alive) this.#trip();
      });
    }
  }

  /** Whether the server answers a probe in time (one probe at a time). */
  #answers(): Promise<boolean> {
    this.#probing ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const late = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), this.options.probeTimeoutMs);
        });
        return await Promise.race([this.options.probe().then(() => true, () => false), late]);
      } finally {
        clearTimeout(timer);
        this.#probing = undefined;
      }
    })();
    return this.#probing;
  }

  /** Opens the breaker and ends every watched connection: their queries fail now, not when TCP gives up. */
  #trip() {
    this.#openUntil = performance.now() + this.options.openMs;
    if (this.#state !== "open") {
      this.#state = "open";
      this.options.onChange?.("open");
    }
    for (const w of [...this.#watched]) {
      end(w.socket);
      this.#unwatch(w);
    }
  }

  /** After the open period: closes the breaker when a probe is answered, else stays open for another period. */
  async #halfOpen() {
    if (this.#probing) return;
    this.#openUntil = performance.now() + this.options.openMs;
    if (await this.#answers()) {
      this.#state = "closed";
      this.options.onChange?.("closed");
    }
  }
}
