import { normalizeText } from "../text/fold.ts";

// Phrasings that try to change the assistant's instructions. Matched on normalised text, so Arabic variants with
// diacritics or hamza forms match too.
const INJECTION_PATTERNS: RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass|skip)\b[^.!?\n]{0,40}\b(instruction|instructions|rules|prompt|prompts|guidelines|directions|messages|context)\b/,
  /\b(reveal|show|print|repeat|leak|output|tell me)\b[^.!?\n]{0,30}\b(system prompt|hidden prompt|your instructions|your rules|initial prompt)\b/,
  /\bsystem prompt\b/,
  /\byou are (now|no longer)\b/,
  /\b(developer|dan|god|jailbreak) mode\b/,
  /\bjailbreak\b/,
  /\bpretend (that )?(you are|to be)\b/,
  /\bnew (instructions|rules|persona)\b/,
  /(^|\n)\s*(system|assistant|developer)\s*:/,
  /<\|?(im_start|im_end|system|endoftext)\|?>/,
  /###\s*(instruction|system)/,
  /(تجاهل|انس|اهمل|تخط)[^.؟!\n]{0,30}(التعليمات|تعليمات|الاوامر|اوامر|القواعد|التوجيهات)/,
  /(اكشف|اظهر|اطبع|كرر)[^.؟!\n]{0,30}(التعليمات|موجه النظام|تعليماتك)/,
  /موجه النظام/,
  /انت الان/,
];

/** Whether a text tries to instruct the assistant (prompt injection), in English or Arabic. */
export function looksLikeInjection(text: string): boolean {
  const normal = normalizeText(text);
  return INJECTION_PATTERNS.some((p) => p.test(normal));
}

/**
 * Course material with instruction-like passages defused: each matching sentence is replaced by a marker, so a
 * document cannot steer the model even if the model would obey it. Returns how many were removed.
 */
export function neutralizeDocumentText(text: string): { text: string; removed: number } {
  let removed = 0;
  const parts = text.split(/(?<=[.!?؟\n])/);
  const kept = parts.map((part) => {
    if (!looksLikeInjection(part)) return part;
    removed++;
    return " [instruction-like text removed] ";
  });
  // Tags the prompt uses to fence material must not appear inside it, or a document could close its own fence.
  const safe = kept.join("").replace(/<\/?\s*(course_material|source|question|history)[^>]*>/gi, "");
  return { text: safe, removed };
}
