import type { KvStore } from "./interface.ts";

interface Entry {
  value: string;
  expiresAt?: number;
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
    return Promise.resolve(this.#live(key)?.value ?? null);
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
    const next = (entry ? Number(entry.value) : 0) + (options.by ?? 1);
    const expiresAt = entry ? entry.expiresAt : options.ttlMs ? this.#now() + options.ttlMs : undefined;
    this.#data.set(key, { value: String(next), expiresAt });
    if (!entry) this.#sweep();
    return Promise.resolve(next);
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
