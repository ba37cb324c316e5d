import assert from "node:assert/strict";
import { arabicSearchStems, stemArabicForSearch, stemArabicForSupport, stemEnglish } from "./stem.ts";

Deno.test("stemArabicForSearch() strips one light prefix and keeps short stems whole", () => {
  assert.equal(stemArabicForSearch("الكتاب"), "كتاب");
  assert.equal(stemArabicForSearch("والكتاب"), "كتاب");
  assert.equal(stemArabicForSearch("بالمدرسه"), "مدرس");
  assert.equal(stemArabicForSearch("للطلاب"), "طلاب");
  assert.equal(stemArabicForSearch("فالعلم"), "علم");
  assert.equal(stemArabicForSearch("كالبحر"), "بحر");
  assert.equal(stemArabicForSearch("وكتب"), "كتب");
  // Single-letter prefixes only go when a stem of three letters remains: "بيت" (house) is not "ب" + "يت".
  assert.equal(stemArabicForSearch("بيت"), "بيت");
  assert.equal(stemArabicForSearch("لمحمد"), "محمد");
});

Deno.test("arabicSearchStems() keeps the whole word as a second reading when a proclitic leaves three letters", () => {
  // The letter belongs to the word: وصول + ه, كتاب + ها, وزير. The old stemmer gave صول, تاب, زير only.
  assert.deepEqual(arabicSearchStems("وصوله"), ["صول", "وصول"]);
  assert.deepEqual(arabicSearchStems("كتابها"), ["تاب", "كتاب"]);
  assert.deepEqual(arabicSearchStems("وزير"), ["زير", "وزير"]);
  assert.deepEqual(arabicSearchStems("فلسطين"), ["لسط", "فلسط"]);
  // ... and it is a proclitic as often: لكأس is ل + كأس, وقال و + قال (first reading unchanged).
  assert.deepEqual(arabicSearchStems("لكاس"), ["كاس", "لكاس"]);
  assert.deepEqual(arabicSearchStems("وقال"), ["قال", "وقال"]);
  // One reading: an article prefix, a stem of four letters or more after the proclitic, or no proclitic at all.
  assert.deepEqual(arabicSearchStems("والكتاب"), ["كتاب"]);
  assert.deepEqual(arabicSearchStems("الوصول"), ["وصول"]);
  assert.deepEqual(arabicSearchStems("وكتابها"), ["كتاب"]);
  assert.deepEqual(arabicSearchStems("لمحمد"), ["محمد"]);
  // Too short for a proclitic: ولد (boy), فيل (elephant), بيت (house).
  assert.deepEqual(arabicSearchStems("ولد"), ["ولد"]);
  assert.deepEqual(arabicSearchStems("فيل"), ["فيل"]);
  assert.deepEqual(arabicSearchStems("بيت"), ["بيت"]);
  // The first reading is stemArabicForSearch's, as before.
  for (const w of ["وصوله", "كتابها", "وزير", "والكتاب", "ولد"]) {
    assert.equal(stemArabicForSearch(w), arabicSearchStems(w)[0]);
  }
});

Deno.test("stemArabicForSupport() leaves one-letter proclitics but for و on longer words", () => {
  assert.equal(stemArabicForSupport("بالمدرسة"), "مدرسة");
  assert.equal(stemArabicForSupport("والكتاب"), "كتاب");
  assert.equal(stemArabicForSupport("لاعب"), "لاعب");
  assert.equal(stemArabicForSupport("فريق"), "فريق");
  assert.equal(stemArabicForSupport("وكتاب"), "كتاب");
});

Deno.test("stemArabicForSupport() reads ت before a possessive pronoun as the noun's ة or plural ات", () => {
  // "عاصمتها" (its capital) meets "عاصمة", "مقالاته" (his articles) meets "مقالات", "صعوبتها" meets "صعوبة".
  assert.equal(stemArabicForSupport("عاصمتها"), stemArabicForSupport("عاصمه"));
  assert.equal(stemArabicForSupport("مقالاته"), stemArabicForSupport("مقالات"));
  assert.equal(stemArabicForSupport("صعوبتها"), stemArabicForSupport("صعوبه"));
  // Three letters stay: "بيته" (his house) is بيت, "وقته" وقت.
  assert.equal(stemArabicForSupport("بيته"), "بيت");
  assert.equal(stemArabicForSupport("وقته"), "وقت");
  // Without a pronoun a final ت is the word's own ("حكومات" → حكوم, "ثبت" stays).
  assert.equal(stemArabicForSupport("ثبت"), "ثبت");
});

Deno.test("stemEnglish() is Porter2 on Latin words and leaves others alone", () => {
  assert.equal(stemEnglish("stopped"), "stop");
  assert.equal(stemEnglish("studies"), stemEnglish("study"));
  // Derived forms of one word meet, as a question's wording often differs from the material's.
  assert.equal(stemEnglish("consolidation"), stemEnglish("consolidated"));
  assert.equal(stemEnglish("arriving"), stemEnglish("arrival"));
  assert.equal(stemEnglish("acknowledged"), stemEnglish("acknowledge"));
  assert.equal(stemEnglish("1969"), "1969");
  assert.equal(stemEnglish("كتاب"), "كتاب");
});
