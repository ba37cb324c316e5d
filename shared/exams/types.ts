import { z } from "zod";

/** Kinds of exam items. */
export const ItemType = z.enum(["multiple_choice", "true_false", "short_answer"]);
/** One kind of exam item. */
export type ItemType = z.infer<typeof ItemType>;

/** Difficulty levels of the blueprint's mix. */
export const Difficulty = z.enum(["easy", "medium", "hard"]);
/** One difficulty level. */
export type Difficulty = z.infer<typeof Difficulty>;

/** A passage of course material items are generated from (a retrieved or stored chunk). */
export interface SourceChunk {
  chunkId: string;
  documentId: string;
  page: number;
  text: string;
  heading?: string | null;
}

/** Where an item's key comes from. */
export interface Citation {
  chunkId: string;
  documentId: string;
  page: number;
  /** The sentence of the chunk that supports the key. */
  quote: string;
}

/** What an instructor asks for. */
export const Blueprint = z.object({
  documentIds: z.array(z.uuid()).max(100).optional(),
  counts: z.object({
    multiple_choice: z.number().int().min(0).max(100).default(0),
    true_false: z.number().int().min(0).max(100).default(0),
    short_answer: z.number().int().min(0).max(100).default(0),
  }).refine((c) => c.multiple_choice + c.true_false + c.short_answer > 0, "Ask for at least one item"),
  difficulty: z.object({
    easy: z.number().min(0).max(1).default(0.3),
    medium: z.number().min(0).max(1).default(0.5),
    hard: z.number().min(0).max(1).default(0.2),
  }).default({ easy: 0.3, medium: 0.5, hard: 0.2 }),
  language: z.enum(["en", "ar"]).default("en"),
  /** What students should be able to do after the material ("Solve a pair of linear equations by elimination"). */
  objectives: z.array(z.string().trim().min(1).max(300)).max(20).default([]),
});
/** A parsed blueprint. */
export type Blueprint = z.infer<typeof Blueprint>;

/** A generated exam item with its key and the material that supports it. */
export interface GeneratedItem {
  type: ItemType;
  question: string;
  /** Options for multiple choice (the key is one of them) and ["True", "False"] for true/false. */
  options: string[];
  answerKey: string;
  explanation: string;
  difficulty: Difficulty;
  citations: Citation[];
  /** Identifies the fact tested, so no two items test the same one. */
  factKey: string;
}

/** Extra constraints of one generation run. */
export interface GenerateOptions {
  /** Fact keys of items the exam already has: no new item may test these facts again. */
  avoidFactKeys?: string[];
}

/** Produces items for a blueprint from course material. */
export interface ExamGenerator {
  readonly name: string;
  generate(blueprint: Blueprint, chunks: SourceChunk[], options?: GenerateOptions): Promise<GeneratedItem[]>;
}
