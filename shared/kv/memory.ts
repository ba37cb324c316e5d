import type { KvStore } from "./interface.ts";

interface Entry {
  /** A string value, or a sorted set (member → score). */
  value: string | Map<string, number>;
  expiresAt?: number;
}

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

function stringOf(entry: Entry | undefined): string | null {
  if (entry === undefined) return null;
  if (typeof entry.value !== "string") throw new Error(WRONGTYPE);
  return entry.value;
}

/** In-process key-value store with expiry: the embedded default (one process; lost on restart). */
export class MemoryKv implements KvStore {
  readonly kind = "memory" as const;
  #data = new Map<string, Entry>();
  #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#data.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key: string): Promise<string | null> {
    try {
      return Promise.resolve(stringOf(this.#live(key)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    this.#data.set(key, { value, expiresAt: options.ttlMs ? this.#now() + options.ttlMs : undefined });
    this.#sweep();
    return Promise.resolve();
  }

  del(key: string): Promise<void> {
    this.#data.delete(key);
    return Promise.resolve();
  }

  incr(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    const entry = this.#live(key);
    if (entry && typeof entry.value !== "string") return Promise.reject(new Error(WRONGTYPE));
    const next = (entry ? Number(entry.value) : 0) + (options.by ?? 1);
    const expiresAt = entry ? entry.expiresAt : options.ttlMs ? this.#now() + options.ttlMs : undefined;
    this.#data.set(key, { value: String(next), expiresAt });
    if (!entry) this.#sweep();
    return Promise.resolve(next);
  }

  zadd(
    key: string,
    score: number,
    member: string,
    options: { removeBelow?: number; ttlMs?: number } = {},
  ): Promise<void> {
    let entry = this.#live(key);
    if (entry && typeof entry.value === "string") return Promise.reject(new Error(WRONGTYPE));
    if (!entry) {
      entry = { value: new Map() };
      this.#data.set(key, entry);
      this.#sweep();
    }
    const members = entry.value as Map<string, number>;
    members.set(member, score);
    if (options.removeBelow !== undefined) {
      for (const [m, s] of members) if (s < options.removeBelow) members.delete(m);
    }
    if (options.ttlMs) entry.expiresAt = this.#now() + options.ttlMs;
    // Redis deletes a sorted set that has no members left.
    if (members.size === 0) this.#data.delete(key);
    return Promise.resolve();
  }

  /** The options mean nothing here: the in-process store has no breaker and no timeout. */
  zrangeByScore(
    key: string,
    min: number,
    _options?: { bypassBreaker?: boolean; timeoutMs?: number },
  ): Promise<{ member: string; score: number }[]> {
    const entry = this.#live(key);
    if (!entry) return Promise.resolve([]);
    if (typeof entry.value === "string") return Promise.reject(new Error(WRONGTYPE));
    const found = [...entry.value].filter(([, s]) => s >= min).map(([member, score]) => ({ member, score }));
    // Redis orders equal scores by member, bytewise.
    found.sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    return Promise.resolve(found);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  #writes = 0;
  /** Drops expired entries now and then so a long-lived process does not grow without bound. */
  #sweep() {
    if (++this.#writes % 1000 !== 0) return;
    const now = this.#now();
    for (const [k, e] of this.#data) {
      if (e.expiresAt !== undefined && e.expiresAt <= now) this.#data.delete(k);
    }
  }
}
