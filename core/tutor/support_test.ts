import assert from "node:assert/strict";
import { coverage, prepare, withoutProclitic } from "./support.ts";
import { contentTerms } from "../../shared/text/terms.ts";

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
