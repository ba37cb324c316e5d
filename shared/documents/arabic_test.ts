import assert from "node:assert/strict";
import { lamAlefLooksSwapped, removeKashida, repairLamAlef, repairSplitWords } from "./arabic.ts";
import { normalizeExtractedText } from "./normalize.ts";

Deno.test("removeKashida() drops justification kashida inside and at the end of words, and the space made up after it", () => {
  assert.equal(removeKashida("تسرى أحكام هـــذا القانـــون"), "تسرى أحكام هذا القانون");
  assert.equal(removeKashida("على جميع المنشـــ آت الفندقيةـــ"), "على جميع المنشآت الفندقية");
  // After a lone letter it abbreviates a word (the Hijri year) and stays.
  assert.equal(removeKashida("سنة 1443 هـ"), "سنة 1443 هـ");
});

Deno.test("repairLamAlef() always repairs swaps no Arabic word has, and leaves correct text alone", () => {
  assert.equal(
    repairLamAlef("المادة األولى من اللائحة: اإلدارة واآلتي"),
    "المادة الأولى من اللائحة: الإدارة والآتي",
  );
  const correct = "لا يجوز إلا بإذن الإدارة الأولى، قال الطالب: اللائحة والالتزام خلال العام";
  assert.equal(repairLamAlef(correct), correct);
  assert.equal(repairLamAlef(correct, lamAlefLooksSwapped(correct)), correct);
});

Deno.test("repairLamAlef() repairs the ambiguous swaps of a page whose every lam-alef came out swapped", () => {
  // What the government regulation of the report gave: every lam-alef ligature as alef-lam.
  const page = "الالئحة األولى: ال يجوز اإلخالل بها إال بإذن اإلدارة خالل االمتحان واآلتى";
  assert.ok(lamAlefLooksSwapped(page));
  assert.equal(
    repairLamAlef(page, true),
    "اللائحة الأولى: لا يجوز الإخلال بها إلا بإذن الإدارة خلال الامتحان والآتى",
  );
});

Deno.test("repairSplitWords() joins words cut by a kerning gap and keeps real word breaks", () => {
  assert.equal(
    repairSplitWords("و يعمل بها، فر يق الر ياضة، الدور ية"),
    "ويعمل بها، فريق الرياضة، الدورية",
  );
  const correct = "عضو يحضر الاجتماع، والقرار يجب تنفيذه، يا طلاب";
  assert.equal(repairSplitWords(correct), correct);
});

Deno.test("normalizeExtractedText() keeps diacritics, drops doubled marks, glyph debris and spaces before marks", () => {
  assert.equal(normalizeExtractedText("وَقُل ْ رَبِِّ زِدْنِي"), "وَقُلْ رَبِّ زِدْنِي");
  assert.equal(normalizeExtractedText("الموقع الإلBكتروني وال'كتب"), "الموقع الإلكتروني والكتب");
  // Latin next to Arabic with a space is text, not debris.
  assert.equal(normalizeExtractedText("نظام Moodle للتعلم"), "نظام Moodle للتعلم");
});
