import type { AnswerPolicy, TutorIntent, TutorLanguage } from "./types.ts";

/** Why the tutor gave no answer from the material; each has a helpful message per language. */
export type RefusalReason = Exclude<TutorIntent, "course_question"> | "not_found";

const REFUSALS: Record<RefusalReason, Record<TutorLanguage, string>> = {
  greeting: {
    en: "Hello! I'm your course tutor. Ask me anything about your course material and I'll answer from it, " +
      "with references to the pages I use.",
    ar:
      "مرحبًا! أنا مساعدك في هذا المقرر. اسألني عن أي شيء في مواد المقرر وسأجيبك منها مع الإشارة إلى الصفحات " +
      "التي أعتمد عليها.",
  },
  off_topic: {
    en:
      "I can only help with this course's material. Try asking about a topic, a definition or a section of " +
      "your course documents.",
    ar: "يمكنني المساعدة فقط في مواد هذا المقرر. جرّب أن تسأل عن موضوع أو تعريف أو قسم من مستندات المقرر.",
  },
  exam_lockout: {
    en: "An exam for this course is open right now, so I can't help with its questions until it closes. " +
      "Good luck! You can ask me about the material again once the exam is over.",
    ar: "يوجد امتحان مفتوح الآن في هذا المقرر، لذلك لا أستطيع المساعدة في أسئلته حتى يُغلق. بالتوفيق! " +
      "يمكنك سؤالي عن المادة مجددًا بعد انتهاء الامتحان.",
  },
  abuse: {
    en:
      "I'm here to help you learn. Let's keep it respectful: please rephrase your question about the course.",
    ar: "أنا هنا لمساعدتك على التعلم. لنحافظ على الاحترام: من فضلك أعد صياغة سؤالك عن المقرر.",
  },
  prompt_injection: {
    en:
      "I can't change how I work or reveal my instructions. I can answer questions about your course material.",
    ar: "لا أستطيع تغيير طريقة عملي أو كشف تعليماتي. يمكنني الإجابة عن أسئلتك حول مواد المقرر.",
  },
  not_found: {
    en:
      "I couldn't find this in your course material, so I won't guess. Try rephrasing with the terms your " +
      "course uses, name the chapter or topic, or ask your instructor.",
    ar:
      "لم أجد هذا في مواد المقرر، لذلك لن أخمّن. جرّب إعادة صياغة السؤال بالمصطلحات المستخدمة في المقرر، أو " +
      "اذكر الفصل أو الموضوع، أو اسأل أستاذ المقرر.",
  },
};

const OTHER_LANGUAGE: Record<TutorLanguage, string> = {
  en:
    "I couldn't find this in your course material, which is written in Arabic. I match your question's words " +
    "against the material as they are written, so a question in English finds little in Arabic text. Try asking " +
    "in Arabic, or use the names, numbers or terms the material itself uses, or ask your instructor.",
  ar: "لم أجد هذا في مواد المقرر، وهي مكتوبة بالإنجليزية. أطابق كلمات سؤالك مع المواد كما كُتبت، لذلك لا يجد " +
    "سؤال بالعربية إلا القليل في نص إنجليزي. جرّب أن تسأل بالإنجليزية، أو استخدم الأسماء أو الأرقام أو المصطلحات " +
    "الواردة في المواد نفسها، أو اسأل أستاذ المقرر.",
};

/**
 * The "not found" message when the course's material is all in the other language than the question's: the
 * refusal says why, instead of suggesting the material is silent on the topic.
 */
export function otherLanguageMessage(language: TutorLanguage): string {
  return OTHER_LANGUAGE[language];
}

/** The message for a refusal, in the student's language. */
export function refusalMessage(reason: RefusalReason, language: TutorLanguage): string {
  return REFUSALS[reason][language];
}

const OFFLINE_PREFACE: Record<AnswerPolicy, Record<TutorLanguage, string>> = {
  direct: {
    en: "Here is what your course material says (quoted directly from it):",
    ar: "إليك ما تقوله مواد المقرر (مقتبس منها مباشرة):",
  },
  socratic: {
    en:
      "Let's work it out together. These passages from your course material point the way (quoted from it):",
    ar: "لنصل إلى الإجابة معًا. هذه المقاطع من مواد المقرر ترشدك إليها (مقتبسة منها):",
  },
  "hints-only": {
    en: "A hint from your course material:",
    ar: "تلميح من مواد المقرر:",
  },
};

/** The opening line of an offline answer: it says plainly that it quotes the material. */
export function offlinePreface(policy: AnswerPolicy, language: TutorLanguage): string {
  return OFFLINE_PREFACE[policy][language];
}

const GUIDING_QUESTIONS: Record<TutorLanguage, string[]> = {
  en: [
    "Which part of the passage answers your question, and why?",
    "What would you conclude from it? Try writing your answer in one sentence.",
  ],
  ar: [
    "أي جزء من المقطع يجيب عن سؤالك، ولماذا؟",
    "ما الذي تستنتجه منه؟ حاول كتابة إجابتك في جملة واحدة.",
  ],
};

/** Questions that close a socratic or hints-only answer, nudging the student to finish the reasoning. */
export function guidingQuestions(language: TutorLanguage): string[] {
  return GUIDING_QUESTIONS[language];
}

/** Label of the sources list in an answer. */
export function sourcesLabel(language: TutorLanguage): string {
  return language === "ar" ? "المصادر" : "Sources";
}
