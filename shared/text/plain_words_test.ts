import assert from "node:assert/strict";
import { contentWords, foldPhrase, isStopWord, plainWords } from "./plain_words.ts";

Deno.test("plainWords() folds words as written and keeps punctuation inside them", () => {
  assert.deepEqual(plainWords("Pi is 3.14, (e.g.) roughly."), ["pi", "is", "3.14", "e.g", "roughly"]);
  assert.equal(foldPhrase("  The   Sun, a star. "), "the sun a star");
  assert.equal(foldPhrase("المدرسةُ الكبيرة"), "المدرسه الكبيره");
});

Deno.test("contentWords() drops stop words and single letters", () => {
  assert.deepEqual(contentWords("The substitution method is used to solve a system"), [
    "substitution",
    "method",
    "solve",
    "system",
  ]);
  assert.equal(isStopWord("التي"), true);
  assert.equal(isStopWord("مدرسه"), false);
});
