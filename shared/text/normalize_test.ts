import assert from "node:assert/strict";
import { foldArabic, isMostlyArabic, normalizeForSearch, searchTerms, stemArabic } from "./normalize.ts";

Deno.test("foldArabic() strips tashkeel and tatweel", () => {
  assert.equal(foldArabic("مُحَمَّدٌ"), "محمد");
  assert.equal(foldArabic("العـــلـم"), "العلم");
  assert.equal(foldArabic("قُرْآنٌ"), "قران");
});

Deno.test("foldArabic() unifies alef, yaa and taa marbuta forms", () => {
  assert.equal(foldArabic("أحمد إسلام آمن ٱلله"), "احمد اسلام امن الله");
  assert.equal(foldArabic("مستشفى"), "مستشفي");
  assert.equal(foldArabic("مدرسة"), "مدرسه");
  assert.equal(foldArabic("٢٠٢٤"), "2024");
});

Deno.test("stemArabic() strips one light prefix and keeps short stems whole", () => {
  assert.equal(stemArabic("الكتاب"), "كتاب");
  assert.equal(stemArabic("والكتاب"), "كتاب");
  assert.equal(stemArabic("بالمدرسه"), "مدرس");
  assert.equal(stemArabic("للطلاب"), "طلاب");
  assert.equal(stemArabic("فالعلم"), "علم");
  assert.equal(stemArabic("كالبحر"), "بحر");
  assert.equal(stemArabic("وكتب"), "كتب");
  // Single-letter prefixes only go when a stem of three letters remains: "بيت" (house) is not "ب" + "يت".
  assert.equal(stemArabic("بيت"), "بيت");
  assert.equal(stemArabic("لمحمد"), "محمد");
});

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

Deno.test("normalizeForSearch() joins terms with spaces and isMostlyArabic() tells scripts apart", () => {
  assert.equal(normalizeForSearch("Cats and dogs"), "cat dog");
  assert.equal(isMostlyArabic("ما هي عاصمة فرنسا؟"), true);
  assert.equal(isMostlyArabic("What is the capital of France?"), false);
});
