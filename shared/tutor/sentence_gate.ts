import {
  type GroundednessOptions,
  judgeSentence,
  QuotedCitations,
  type SentenceVerdict,
} from "./groundedness.ts";
import { completeSegmentLength } from "../text/sentences.ts";
import { prepare, type PreparedText } from "./support.ts";
import type { RetrievedChunk } from "./types.ts";

/** What the gate let through, and what it kept back. */
export interface GateReport {
  text: string;
  verdicts: SentenceVerdict[];
  unsupported: string[];
  supportedClaims: number;
  /** Whether any piece was released to the client. */
  released: boolean;
  /** Time spent judging sentences. */
  checkMs: number;
}

/**
 * The streaming form of the groundedness check: model tokens go in, checked sentences come out. Framing before the
 * first supported claim is held back, so an answer whose claims are all dropped shows only the refusal.
 */
export class SentenceGate {
  readonly #chunks: PreparedText[];
  readonly #options: GroundednessOptions;
  #buffer = "";
  #held = "";
  #text = "";
  #claimSeen = false;
  #released = false;
  #checkMs = 0;
  readonly #quotes = new QuotedCitations();
  readonly #verdicts: SentenceVerdict[] = [];

  /** A gate over the turn's chunks (chunk i is citation i + 1). */
  constructor(chunks: RetrievedChunk[], options: GroundednessOptions) {
    this.#chunks = chunks.map((c) => prepare(`${c.documentTitle}. ${c.text}`));
    this.#options = options;
  }

  /** Adds model text; returns the pieces now safe to show. */
  push(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    for (
      let cut = completeSegmentLength(this.#buffer);
      cut !== null;
      cut = completeSegmentLength(this.#buffer)
    ) {
      const piece = this.#judge(this.#buffer.slice(0, cut));
      this.#buffer = this.#buffer.slice(cut);
      if (piece) out.push(piece);
    }
    return out;
  }

  /** Ends the stream: judges what is left and releases held framing if the answer had no claims at all. */
  end(): string[] {
    const out: string[] = [];
    if (this.#buffer.length > 0) {
      const piece = this.#judge(this.#buffer);
      this.#buffer = "";
      if (piece) out.push(piece);
    }
    const waiting = this.#quotes.flush();
    if (waiting) out.push(this.#claimSeen ? this.#release(waiting) : this.#hold(waiting));
    const anyClaim = this.#verdicts.some((v) => v.kind === "claim");
    if (!this.#claimSeen && !anyClaim && this.#held) {
      out.push(this.#release(this.#held));
      this.#held = "";
    }
    return out.filter((p) => p.length > 0);
  }

  /** The checked answer so far. */
  report(): GateReport {
    return {
      text: this.#text.trim(),
      verdicts: this.#verdicts,
      unsupported: this.#verdicts.filter((v) => !v.supported).map((v) => v.text),
      supportedClaims: this.#verdicts.filter((v) => v.kind === "claim" && v.supported).length,
      released: this.#released,
      checkMs: Math.round(this.#checkMs * 100) / 100,
    };
  }

  #judge(segment: string): string {
    if (segment.trim().length === 0) return this.#claimSeen ? this.#release(segment) : this.#hold(segment);
    const started = performance.now();
    const verdict = judgeSentence(segment, this.#chunks, this.#options);
    this.#checkMs += performance.now() - started;
    this.#verdicts.push(verdict);
    const rendered = this.#quotes.render(segment, verdict, this.#options.mode ?? "drop");
    if (verdict.kind === "claim" && verdict.supported && !this.#claimSeen) {
      this.#claimSeen = true;
      const held = this.#held;
      this.#held = "";
      return this.#release(held + rendered);
    }
    return this.#claimSeen ? this.#release(rendered) : this.#hold(rendered);
  }

  #hold(text: string): string {
    this.#held += text;
    return "";
  }

  #release(text: string): string {
    // The first piece starts the answer: no leading blank lines.
    const piece = this.#released ? text : text.trimStart();
    if (piece.length > 0) this.#released = true;
    this.#text += piece;
    return piece;
  }
}
