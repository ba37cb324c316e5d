/** What the evaluation tools share: where the data is, and vectors cached on disk between runs. */
import type { Embedder } from "../../shared/rag/embedder/interface.ts";

/** Finds `shared/data`: the given path, else `../shared/data`, else the nearest ancestor holding `shared/data`. */
export function findDataDir(given?: string): string | undefined {
  if (given) return given;
  let dir = Deno.cwd();
  for (let i = 0; i < 6; i++) {
    const candidate = `${dir}/../shared/data`;
    try {
      if (Deno.statSync(candidate).isDirectory) return candidate;
    } catch { /* keep looking */ }
    dir = `${dir}/..`;
  }
  return undefined;
}

/** An embedder whose vectors are remembered on disk; `warm` embeds texts ahead in large batches. */
export type CachedEmbedder = Embedder & { warm(texts: string[]): Promise<void>; save(): Promise<void> };

/**
 * Vectors remembered on disk between runs (the model is deterministic), filled in batches of 128: embedding is
 * most of the evaluation's time, and the chunk writer and queries then find every vector ready.
 */
export async function diskCachedEmbedder(embedder: Embedder, useCache: boolean): Promise<CachedEmbedder> {
  const dir = ".data/eval-cache";
  const file = `${dir}/${embedder.model}.json`;
  const cache = new Map<string, number[]>();
  if (useCache) {
    try {
      for (const [k, v] of Object.entries(JSON.parse(await Deno.readTextFile(file)))) {
        cache.set(k, v as number[]);
      }
    } catch { /* first run */ }
  }
  const loaded = cache.size;
  const warm = async (texts: string[]) => {
    const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
    for (let i = 0; i < missing.length; i += 128) {
      const batch = missing.slice(i, i + 128);
      const vectors = await embedder.embed(batch);
      batch.forEach((t, j) => cache.set(t, vectors[j].map((x) => Math.round(x * 1e6) / 1e6)));
    }
  };
  return {
    ...embedder,
    warm,
    async embed(texts) {
      await warm(texts);
      return texts.map((t) => cache.get(t)!);
    },
    async save() {
      if (!useCache || cache.size === loaded) return;
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(file, JSON.stringify(Object.fromEntries(cache)));
    },
  };
}
