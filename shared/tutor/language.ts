import { arabicShare } from "../text/fold.ts";
import type { TutorLanguage } from "./types.ts";

/** The detected language and why it was chosen. */
export interface LanguageDecision {
  language: TutorLanguage;
  source: "question" | "profile" | "default";
}

/**
 * Arabic or English from the question's letters; a question with too few letters to tell ("2+2?", "؟") falls back to
 * the student's profile preference, then English.
 */
export function detectLanguage(question: string, preferred?: TutorLanguage): LanguageDecision {
  const { arabic, latin } = arabicShare(question);
  if (arabic + latin >= 3) {
    // Arabic questions often quote English terms ("ما هو DNA؟"); a fair share of Arabic letters decides.
    return { language: arabic >= latin * 0.5 ? "ar" : "en", source: "question" };
  }
  if (preferred) return { language: preferred, source: "profile" };
  return { language: arabic > latin ? "ar" : "en", source: "default" };
}
