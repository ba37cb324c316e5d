import assert from "node:assert/strict";
import { answerKept } from "./eval_tutor_labels.ts";
import { splitSentences } from "../shared/text/sentences.ts";

// ARCD's paragraphs repeat one another: the left-out paragraph on the lion and a kept one share its first sentence.
const leftOut =
  "الأسد حيوان من الثدييات من فصيلة السنوريات وأحد السنوريات الأربعة الكبيرة. يعيش الأسد في أفريقيا.";
const kept = [
  splitSentences(
    "يُعد الأسد ثاني أكبر السنوريات. الأسد حيوان من الثدييات من فصيلة السنوريات، وأحد السنوريات الأربعة الكبيرة المنتمية لجنس النمر.",
  ),
];

Deno.test("answerKept() counts a left-out question as answerable when a kept paragraph repeats its answer sentence", () => {
  assert.equal(answerKept(leftOut, ["فصيلة السنوريات"], kept), true);
  // Folding and spacing do not matter: the same sentence with its marks.
  assert.equal(
    answerKept("The Panthers gave up 308 points.", ["308 points"], [["The  Panthers gave up 308 points!"]]),
    true,
  );
});

Deno.test("answerKept() keeps a question unanswerable when the gold answer only appears in another statement", () => {
  // "Turkey" borders Iraq to the north (left out); a kept paragraph on Iran names Turkey in another sentence.
  const iraq = "يحد العراق من الشمال تركيا ومن الجنوب الكويت والمملكة العربية السعودية.";
  const iran = [
    splitSentences("ويحدها من الشرق أفغانستان وباكستان، ومن الغرب العراق ومن الشمال الغربي تركيا."),
  ];
  assert.equal(answerKept(iraq, ["تركيا"], iran), false);
  // A gold answer in no sentence of the course at all.
  assert.equal(answerKept(leftOut, ["أفريقيا"], kept), false);
});
