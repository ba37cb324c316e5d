import assert from "node:assert/strict";
import { arabicShare, foldArabic, foldLetters, foldWord, isMostlyArabic, normalizeText } from "./fold.ts";

Deno.test("foldArabic() strips tashkeel and tatweel", () => {
  assert.equal(foldArabic("مُحَمَّدٌ"), "محمد");
  assert.equal(foldArabic("العـــلـم"), "العلم");
  assert.equal(foldArabic("قُرْآنٌ"), "قران");
});

Deno.test("foldArabic() unifies alef, yaa, taa marbuta and hamza seats and makes digits ASCII", () => {
  assert.equal(foldArabic("أحمد إسلام آمن ٱلله"), "احمد اسلام امن الله");
  assert.equal(foldArabic("مستشفى"), "مستشفي");
  assert.equal(foldArabic("مدرسة"), "مدرسه");
  assert.equal(foldArabic("مسؤول رئيس"), "مسوول رييس");
  assert.equal(foldArabic("٢٠٢٤ ۱۹"), "2024 19");
});

Deno.test("foldLetters() keeps hamza seats and digits as written", () => {
  assert.equal(foldLetters("مسؤولٌ رئيسُ المدرسة ٣"), "مسؤول رئيس المدرسه ٣");
});

Deno.test("normalizeText() strips Arabic diacritics and tatweel and unifies alef, yaa and taa marbuta", () => {
  assert.equal(normalizeText("إِنَّ الـمَدرسةَ"), "ان المدرسه");
  assert.equal(normalizeText("أحمد آمن على مستوى"), "احمد امن علي مستوي");
  assert.equal(normalizeText("٣٠٨"), "308");
  assert.equal(normalizeText("Newton’s LAW"), "newton law");
});

Deno.test("foldWord() unifies Arabic letter variants and strips diacritics and punctuation", () => {
  assert.equal(foldWord("أَحْمَد"), "احمد");
  assert.equal(foldWord("مدرسة،"), "مدرسه");
  assert.equal(foldWord("Hello,"), "hello");
  assert.equal(foldWord("(e.g.)"), "e.g");
});

Deno.test("arabicShare() counts Arabic and Latin letters; isMostlyArabic() tells scripts apart", () => {
  assert.deepEqual(arabicShare("ما هو DNA؟ 12"), { arabic: 4, latin: 3, other: 0 });
  assert.equal(isMostlyArabic("ما هي عاصمة فرنسا؟"), true);
  assert.equal(isMostlyArabic("What is the capital of France?"), false);
  // Letters of other scripts count against Arabic too.
  assert.equal(isMostlyArabic("Ça été ما هو"), false);
});
