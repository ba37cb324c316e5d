import assert from "node:assert/strict";
import { normalizeForSearch, searchTerms } from "./normalize.ts";

Deno.test("searchTerms() makes differently written Arabic forms meet on one term", () => {
  assert.deepEqual(searchTerms("المَدْرَسَةُ"), searchTerms("مدرسة"));
  assert.deepEqual(searchTerms("والمدرسة"), searchTerms("مدرسه"));
  assert.deepEqual(searchTerms("إسلام"), searchTerms("اسلام"));
  assert.deepEqual(searchTerms("في المستشفى"), searchTerms("مستشفي"));
});

Deno.test("searchTerms() lower-cases and stems English and drops stop words", () => {
  assert.deepEqual(searchTerms("The Universities were running connections"), ["univers", "run", "connect"]);
  assert.deepEqual(searchTerms("university"), searchTerms("universities"));
  assert.deepEqual(searchTerms("What is the capital of France?"), ["capit", "franc"]);
  assert.deepEqual(searchTerms("Apollo 11 landed in 1969"), ["apollo", "11", "land", "1969"]);
});

Deno.test("searchTerms() handles mixed scripts and presentation forms", () => {
  assert.deepEqual(searchTerms("الطاقة energy"), ["طاق", "energi"]);
  // NFKC turns the presentation form "ﻻ" (lam-alef ligature) into two letters.
  assert.deepEqual(searchTerms("ﻻعب"), searchTerms("لاعب"));
});

Deno.test("normalizeForSearch() joins terms with spaces", () => {
  assert.equal(normalizeForSearch("Cats and dogs"), "cat dog");
  // One-letter proclitics go in search terms (unlike the tutor's content terms).
  assert.equal(normalizeForSearch("لمحمد بالمدرسة"), "محمد مدرس");
});
