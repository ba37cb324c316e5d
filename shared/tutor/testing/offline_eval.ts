/** Measures the offline tutor on the XQuAD fixture: answer rate, answers quoting the gold answer, refusal rate. */
import { OfflineTutor } from "../model/offline.ts";
import { MemoryRetriever, type StoredChunk } from "../retriever/memory.ts";
import { normalizeText } from "../../text/fold.ts";
import type { AnswerPolicy, TutorLanguage } from "../types.ts";
import { loadXquadFixture, xquadRetriever } from "./xquad.ts";

/** Rates measured for one language. */
export interface OfflineRates {
  language: TutorLanguage;
  answerable: number;
  /** Share of answerable questions the tutor answered. */
  answered: number;
  /** Share of answerable questions whose answer text contains the gold answer. */
  answeredWithGold: number;
  unanswerable: number;
  /** Share of unanswerable questions refused: same-article held-out paragraphs and other articles together. */
  refused: number;
  refusedSameArticle: number;
  refusedOtherArticle: number;
}

/** Runs every fixture question through retrieval (k = 6) and the offline tutor. */
export async function measureOfflineTutor(
  language: TutorLanguage,
  options: { threshold?: number; policy?: AnswerPolicy } = {},
): Promise<OfflineRates> {
  const fixture = loadXquadFixture();
  const retriever = xquadRetriever(fixture, { courseId: "xquad", language });
  const tutor = new OfflineTutor({ threshold: options.threshold });
  const answer = async (question: string) => {
    const { chunks } = await retriever.retrieve({
      scope: { courseId: "xquad" },
      query: question,
      k: 6,
      language,
    });
    return tutor.answer(question, chunks, options.policy ?? "direct", language);
  };
  let answerable = 0;
  let answered = 0;
  let withGold = 0;
  for (const paragraph of fixture.paragraphs) {
    for (const q of paragraph.questions) {
      answerable++;
      const text = await answer(q[language]);
      if (text === null) continue;
      answered++;
      const gold = language === "en" ? q.answerEn : q.answerAr;
      if (normalizeText(text).includes(normalizeText(gold))) withGold++;
    }
  }
  const refusedShare = async (questions: typeof fixture.heldOutSameArticle) => {
    let refused = 0;
    for (const q of questions) if (await answer(q[language]) === null) refused++;
    return { refused, total: questions.length };
  };
  const same = await refusedShare(fixture.heldOutSameArticle);
  const other = await refusedShare(fixture.heldOutOtherArticle);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    language,
    answerable,
    answered: round(answered / answerable),
    answeredWithGold: round(withGold / answerable),
    unanswerable: same.total + other.total,
    refused: round((same.refused + other.refused) / (same.total + other.total)),
    refusedSameArticle: round(same.refused / same.total),
    refusedOtherArticle: round(other.refused / other.total),
  };
}

interface SquadFile {
  data: {
    title: string;
    paragraphs: { context: string; qas: { question: string; answers: { text: string }[] }[] }[];
  }[];
}

/**
 * A check on a split the threshold was not tuned on, over the full XQuAD files: the course holds paragraphs 3-4 of
 * every article; answerable questions are theirs, unanswerable ones the first three of each article's paragraph 1.
 */
export async function validateOnFullXquad(
  xquadDir: string,
  language: TutorLanguage,
  threshold?: number,
): Promise<Record<string, number | string>> {
  const file: SquadFile = JSON.parse(await Deno.readTextFile(`${xquadDir}/xquad.${language}.json`));
  const chunks: StoredChunk[] = [];
  const answerable: { question: string; gold: string }[] = [];
  const unanswerable: string[] = [];
  file.data.forEach((article, a) =>
    article.paragraphs.forEach((p, i) => {
      if (i >= 3) {
        chunks.push({
          chunkId: `${a}-${i}`,
          documentId: article.title,
          documentTitle: article.title.replace(/_/g, " "),
          page: i,
          text: p.context,
          courseId: "validation",
        });
        answerable.push(...p.qas.map((q) => ({ question: q.question, gold: q.answers[0].text })));
      } else if (i === 1) unanswerable.push(...p.qas.slice(0, 3).map((q) => q.question));
    })
  );
  const retriever = new MemoryRetriever(chunks);
  const tutor = new OfflineTutor({ threshold });
  const answer = async (question: string) => {
    const scope = { courseId: "validation" };
    const { chunks: found } = await retriever.retrieve({ scope, query: question, k: 6, language });
    return tutor.answer(question, found, "direct", language);
  };
  let answered = 0;
  let withGold = 0;
  for (const q of answerable) {
    const text = await answer(q.question);
    if (text === null) continue;
    answered++;
    if (normalizeText(text).includes(normalizeText(q.gold))) withGold++;
  }
  let refused = 0;
  for (const q of unanswerable) if (await answer(q) === null) refused++;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    language,
    chunks: chunks.length,
    answerable: answerable.length,
    answered: round(answered / answerable.length),
    answeredWithGold: round(withGold / answerable.length),
    unanswerable: unanswerable.length,
    refused: round(refused / unanswerable.length),
  };
}

// deno run -A shared/tutor/testing/offline_eval.ts [path/to/xquad-dir]
if (import.meta.main) {
  for (const language of ["en", "ar"] as const) {
    console.log("fixture", JSON.stringify(await measureOfflineTutor(language)));
    if (Deno.args[0]) {
      console.log("validation", JSON.stringify(await validateOnFullXquad(Deno.args[0], language)));
    }
  }
}
