/** Turns texts into vectors for semantic search; one implementation per provider, chosen in `mod.ts`. */
export interface Embedder {
  /** Stable name of the model, stored with the vectors' collection so a model change is noticed. */
  readonly model: string;
  /** Length of every vector this embedder returns. */
  readonly dimensions: number;
  /** How many texts one `embed` call should carry at most (callers batch by it). */
  readonly batchSize: number;
  /** True when the model only understands English: Arabic chunks then get no vector (keywords find them). */
  readonly englishOnly: boolean;
  /** One vector per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
}
