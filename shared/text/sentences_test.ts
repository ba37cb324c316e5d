import assert from "node:assert/strict";
import { contentWords, foldWord, isArabic, splitSentences } from "./sentences.ts";

Deno.test("splitSentences() splits English and Arabic sentences", () => {
  assert.deepEqual(splitSentences("The sun is a star. It is hot! Is it far? Yes."), [
    "The sun is a star.",
    "It is hot!",
    "Is it far?",
    "Yes.",
  ]);
  assert.deepEqual(splitSentences("ما هي الشمس؟ الشمس نجم. وهي حارة."), [
    "ما هي الشمس؟",
    "الشمس نجم.",
    "وهي حارة.",
  ]);
});

Deno.test("foldWord() unifies Arabic letter variants and strips diacritics and punctuation", () => {
  assert.equal(foldWord("أَحْمَد"), "احمد");
  assert.equal(foldWord("مدرسة،"), "مدرسه");
  assert.equal(foldWord("Hello,"), "hello");
});

Deno.test("contentWords() drops stop words; isArabic() tells scripts apart", () => {
  assert.deepEqual(contentWords("The substitution method is used to solve a system"), [
    "substitution",
    "method",
    "solve",
    "system",
  ]);
  assert.equal(isArabic("الشمس نجم"), true);
  assert.equal(isArabic("the sun"), false);
});
