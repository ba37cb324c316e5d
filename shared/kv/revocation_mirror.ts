/**
 * An edge process's own copy of the revocation change log (`shared/kv/revocation.ts`), so a signed-in request is
 * checked against memory instead of a KV round trip. It loads the whole log once, then reads what changed: about
 * once per `syncIntervalMs` (a timer, and requests that find the copy older than that), one KV call per process
 * whatever the traffic. Fail closed: a check finding the last successful sync older than `maxStalenessMs` waits
 * for one sync and, if that fails too, answers 503 with `Retry-After` (docs/kv.md, "Revocations").
 */
import type { Logger } from "../logger.ts";
import type { KvStore } from "./interface.ts";
import {
  parseRevocationMember,
  type RevocableToken,
  REVOCATION_LOG_KEY,
  type RevocationCheck,
  revocationsUnavailable,
} from "./revocation.ts";

/**
 * How far back each incremental read reaches before the last successful sync began. Log entries are scored by
 * the writer's clock when it wrote them; an entry becomes visible up to one KV call later (at most 2 ×
 * `KV_TIMEOUT_MS` with the client's one retry), and core's clock may trail the edge's. Both must stay under this.
 */
export const REVOCATION_LOG_OVERLAP_MS = 10_000;

/** How the mirror syncs. */
export interface RevocationMirrorOptions {
  kv: KvStore;
  /** Target time between two syncs. */
  syncIntervalMs: number;
  /** The oldest copy a check may answer from; beyond it the check waits for a sync, then refuses (503). */
  maxStalenessMs: number;
  logger?: Logger;
  /** Called once per failed sync (e.g. to count it in metrics). */
  onSyncFailure?: (err: unknown) => void;
  now?: () => number;
}

/** The revocation change log mirrored in memory; see the module comment. */
export class RevocationMirror implements RevocationCheck {
  #kv: KvStore;
  #syncIntervalMs: number;
  #maxStalenessMs: number;
  #logger?: Logger;
  #onSyncFailure: (err: unknown) => void;
  #now: () => number;
  /** Revoked token ids → when the entry stops mattering (epoch ms). */
  #jtis = new Map<string, number>();
  /** User → tokens issued before `beforeMs` are revoked, until `untilMs`. */
  #users = new Map<string, { beforeMs: number; untilMs: number }>();
  /** When the last successful sync began (its read saw every entry written before then); -Infinity until one. */
  #syncedAt = -Infinity;
  #inFlight: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #failing = false;
  /** KV calls made by syncs, for tests and the load report. */
  syncs = 0;

  constructor(options: RevocationMirrorOptions) {
    this.#kv = options.kv;
    this.#syncIntervalMs = options.syncIntervalMs;
    this.#maxStalenessMs = options.maxStalenessMs;
    this.#logger = options.logger;
    this.#onSyncFailure = options.onSyncFailure ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds since the last successful sync began (Infinity before the first). */
  get ageMs(): number {
    return this.#now() - this.#syncedAt;
  }

  /** Revocations held in memory (token ids, users), for tests and metrics. */
  get size(): { jtis: number; users: number } {
    return { jtis: this.#jtis.size, users: this.#users.size };
  }

  /** Starts syncing every `syncIntervalMs` in the background (the first sync at once); `stop()` ends it. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.sync();
    const timer = setInterval(() => this.sync(), this.#syncIntervalMs);
    // The timer alone must not keep a process alive that is otherwise done.
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  /** Stops the background syncs. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads the log (all of it the first time, then what changed since shortly before the last successful sync) and
   * applies it; resolves true on success. Concurrent calls share one read. Never rejects: a failure is logged.
   */
  sync(): Promise<boolean> {
    return this.#inFlight ??= this.#syncOnce().finally(() => (this.#inFlight = null));
  }

  async #syncOnce(): Promise<boolean> {
    const started = this.#now();
    // A full read before the first success; afterwards from a little before the last success began. Entries are
    // never dropped because the log lost them (a Redis that restarted empty): only when they expire.
    const min = this.#syncedAt === -Infinity ? 0 : this.#syncedAt - REVOCATION_LOG_OVERLAP_MS;
    this.syncs++;
    try {
      // Its deadline is the staleness budget, not a request's: half of it, so a slow answer on a busy KV still
      // lands, and a failed one leaves time for another try before the copy is too old.
      const entries = await this.#kv.zrangeByScore(REVOCATION_LOG_KEY, min, {
        bypassBreaker: true,
        timeoutMs: Math.max(1, Math.floor(this.#maxStalenessMs / 2)),
      });
      for (const { member } of entries) this.#apply(member);
      this.#prune(started);
      this.#syncedAt = Math.max(this.#syncedAt, started);
      if (this.#failing) {
        this.#failing = false;
        this.#logger?.info("revocation mirror synced again", { entries: entries.length });
      }
      return true;
    } catch (err) {
      this.#onSyncFailure(err);
      if (!this.#failing) {
        this.#failing = true;
        this.#logger?.warn("revocation mirror could not sync", {
          reason: err instanceof Error ? err.message : String(err),
          ageMs: this.ageMs,
        });
      }
      return false;
    }
  }

  #apply(member: string): void {
    const r = parseRevocationMember(member);
    if (!r) return;
    if (r.kind === "jti") {
      this.#jtis.set(r.jti, Math.max(this.#jtis.get(r.jti) ?? 0, r.untilMs));
      return;
    }
    const known = this.#users.get(r.userId);
    // The latest cut-off wins; it refuses every token an earlier one did.
    if (!known || r.beforeMs > known.beforeMs) {
      this.#users.set(r.userId, { beforeMs: r.beforeMs, untilMs: r.untilMs });
    } else if (r.beforeMs === known.beforeMs && r.untilMs > known.untilMs) known.untilMs = r.untilMs;
  }

  #prune(now: number): void {
    for (const [jti, until] of this.#jtis) if (until <= now) this.#jtis.delete(jti);
    for (const [user, entry] of this.#users) if (entry.untilMs <= now) this.#users.delete(user);
  }

  async isRevoked(token: RevocableToken): Promise<boolean> {
    let age = this.ageMs;
    // Keep the copy fresh without making this request wait (one read per interval, shared by every request).
    if (age >= this.#syncIntervalMs) {
      const syncing = this.sync();
      if (age > this.#maxStalenessMs) {
        await syncing;
        age = this.ageMs;
        if (age > this.#maxStalenessMs) {
          throw revocationsUnavailable(new Error(`the revocation mirror is ${Math.round(age)} ms old`));
        }
      }
    }
    if (this.#jtis.has(token.jti)) return true;
    const user = this.#users.get(token.userId);
    return user !== undefined && token.issuedAtMs < user.beforeMs;
  }
}
