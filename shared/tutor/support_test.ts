import assert from "node:assert/strict";
import { coverage, prepare, rankSentences, topicTerms, withoutProclitic } from "./support.ts";
import { contentTerms } from "../text/terms.ts";

Deno.test("withoutProclitic() offers an Arabic term without ب/ل/ك/ف only when a stem of four letters remains", () => {
  assert.equal(withoutProclitic("باختبار"), "اختبار");
  assert.equal(withoutProclitic("لسلسل"), "سلسل");
  assert.equal(withoutProclitic("فريق"), null);
  assert.equal(withoutProclitic("مدرس"), null);
  assert.equal(withoutProclitic("photosynthesis"), null);
});

Deno.test("coverage() meets an Arabic question word and the material's form with or without a proclitic", () => {
  // "test" with ب in the question, without it in the material; "series" with ل in the question.
  const material = prepare("وقد أجروا اختبار المركبة على سلسلة من المراحل.");
  assert.equal(coverage(contentTerms("باختبار لسلسلة"), material), 1);
  // A word that only starts with one of those letters is not split: "فريق" (team) does not meet "ريق".
  assert.equal(coverage(contentTerms("فريق"), prepare("ريق الماء")), 0);
});

Deno.test("topicTerms() leaves out the words that frame a question, in English and Arabic", () => {
  assert.deepEqual(
    topicTerms("What term referred to middle class citizens leaving the suburbs?"),
    contentTerms("middle class citizens leaving the suburbs"),
  );
  // "اذكر أحد" (name one of) frames the question; "عندما" (when) is a particle the stop list misses.
  assert.deepEqual(topicTerms("اذكر أحد أسباب عوز المناعة."), contentTerms("أسباب عوز المناعة"));
  assert.deepEqual(topicTerms("ماذا حدث عندما توفي جنكيز خان؟"), contentTerms("حدث توفي جنكيز خان"));
  // "في أي عام" (in which year) names the kind of answer, not the topic: the material gives the year, not the word.
  assert.deepEqual(
    topicTerms("في أي عام أصبحت جاكسونفيل جزءاً من مقاطعة دوفال؟"),
    contentTerms("أصبحت جاكسونفيل جزءاً مقاطعة دوفال"),
  );
  // Question words the stop list misses, fused or with a proclitic: "بماذا" (with what), "أية" (which), "يوجد".
  assert.deepEqual(
    topicTerms("بماذا أخبر لوثر الرهبان بشأن عهودهم؟"),
    contentTerms("أخبر لوثر الرهبان عهودهم"),
  );
  assert.deepEqual(
    topicTerms("في أية مستعمرة إنجليزية يوجد الهوغونوت؟"),
    contentTerms("مستعمرة إنجليزية الهوغونوت"),
  );
  // A question made only of framing words keeps them: something must be measured.
  assert.deepEqual(topicTerms("What does the term mean?"), contentTerms("term mean"));
});

Deno.test("rankSentences() counts a sentence that holds the topic but not the question's framing words as supported", () => {
  const chunk = {
    chunkId: "c1",
    documentId: "d1",
    documentTitle: "Jacksonville",
    text: 'However, the development of suburbs and a subsequent wave of middle class "white flight" left ' +
      "Jacksonville with a much poorer population than before.",
    page: null,
    score: 1,
  };
  const [best] = rankSentences("What term referred to middle class citizens leaving the suburbs?", [chunk]);
  // "term" and "refer" are not in the material; without them 3 of 5 topic terms are (middle, class, suburb).
  assert.ok(best.support >= 0.45, `support ${best.support}`);
});
