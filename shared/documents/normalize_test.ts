import assert from "node:assert/strict";
import {
  arabicLooksReversed,
  arabicOrderScore,
  normalizeExtractedText,
  reverseArabicRuns,
} from "./normalize.ts";

Deno.test("normalizeExtractedText() maps Arabic presentation forms and the lam-alef ligature to base letters", () => {
  // "ﻣﺮﺣﺒﺎ" in presentation forms B, and the isolated lam-alef ligature U+FEFB.
  assert.equal(normalizeExtractedText("\uFEE3\uFEAE\uFEA3\uFE92\uFE8E \uFEFB"), "مرحبا لا");
  // Presentation forms A (U+FB50–FDFF): alef wasla isolated form.
  assert.equal(normalizeExtractedText("\uFB50"), "\u0671");
});

Deno.test("normalizeExtractedText() strips bidi controls, zero-width characters and stray control codes", () => {
  assert.equal(
    normalizeExtractedText("\u202Bمرحبا\u202C \u200Fعالم\u200D\u200C x\u0003y\uFEFF"),
    "مرحبا عالم xy",
  );
});

Deno.test("normalizeExtractedText() keeps superscripts and Greek in Latin text, and resolves Latin ligatures", () => {
  assert.equal(normalizeExtractedText("x² + α ≤ ﬁnal"), "x² + α ≤ final");
});

Deno.test("normalizeExtractedText() drops glyph-id debris glued to Arabic words", () => {
  assert.equal(normalizeExtractedText("حَبيبيϲΒϴΒ ˴"), "حَبيبي");
});

Deno.test("normalizeExtractedText() collapses table-of-contents dot leaders and runs of spaces", () => {
  assert.equal(normalizeExtractedText("1.1 Räume . . . . . . . 2\r\n  next"), "1.1 Räume … 2\nnext");
});

Deno.test("arabicLooksReversed() flags reversed Arabic and leaves text in reading order alone", () => {
  const logical = "تعتبر الجامعة مؤسسة تعليمية للدراسات العليا والبحث العلمي";
  const reversed = [...logical].reverse().join("");
  assert.ok(arabicOrderScore(logical) > 0);
  assert.equal(arabicLooksReversed(logical), false);
  assert.equal(arabicLooksReversed(reversed), true);
  assert.equal(reverseArabicRuns(reversed), logical);
  assert.equal(arabicLooksReversed("no Arabic here"), false);
});

Deno.test("reverseArabicRuns() reverses Arabic runs only, keeping Latin words in place", () => {
  assert.equal(reverseArabicRuns("habibi يبيبَح end"), "habibi حَبيبي end");
});
