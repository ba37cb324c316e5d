import assert from "node:assert/strict";
import { stemArabicForSearch, stemArabicForSupport, stemEnglish } from "./stem.ts";

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

Deno.test("stemArabicForSupport() leaves one-letter proclitics but for و on longer words", () => {
  assert.equal(stemArabicForSupport("بالمدرسة"), "مدرسة");
  assert.equal(stemArabicForSupport("والكتاب"), "كتاب");
  assert.equal(stemArabicForSupport("لاعب"), "لاعب");
  assert.equal(stemArabicForSupport("فريق"), "فريق");
  assert.equal(stemArabicForSupport("وكتاب"), "كتاب");
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
