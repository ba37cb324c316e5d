import assert from "node:assert/strict";
import { normalizeExtractedText } from "../normalize.ts";
import { assembleLine, type LinePiece } from "./pdf_lines.ts";

/** Pieces as pdf.js returns them: each piece's text in logical order, positioned by its left edge. */
function piece(
  str: string,
  x: number,
  width: number,
  dir = /[\u0600-\u06FF]/.test(str) ? "rtl" : "ltr",
): LinePiece {
  return { str, x, width, size: 12, dir };
}

Deno.test("assembleLine() reads a right-to-left line drawn left to right from right to left, spaced by gaps", () => {
  // «قانون رقم 8 لسنة 2022» drawn as five pieces, leftmost first.
  const pieces = [
    piece("2022", 181, 34),
    piece("لسنة", 220, 22),
    piece("8", 246, 8.5),
    piece("قانون رقم", 260, 50),
  ];
  assert.equal(assembleLine(pieces), "قانون رقم 8 لسنة 2022");
  assert.equal(assembleLine([...pieces].reverse()), "قانون رقم 8 لسنة 2022");
});

Deno.test("assembleLine() keeps a Latin phrase inside Arabic in its own order", () => {
  const pieces = [
    piece(".", 17, 3),
    piece("NumPy", 20, 40),
    piece("ومكتبة", 64, 30),
    piece("3.12", 100, 20),
    piece("Python", 124, 36),
    piece("لغة", 164, 16),
  ];
  assert.equal(assembleLine(pieces, "rtl"), "لغة Python 3.12 ومكتبة NumPy.");
});

Deno.test("assembleLine() joins the pieces of a word stretched by kashida without a space", () => {
  // The kashida fills the gap between the pieces of «المنشـــآت».
  const pieces = [piece("آت", 100, 10), piece("المنشـــ", 110.5, 40)];
  assert.equal(assembleLine(pieces), "المنشـــآت");
});

Deno.test("assembleLine() leaves lines without right-to-left script in pdf.js' order", () => {
  assert.equal(assembleLine([piece("x", 50, 5), piece("2", 55, 3), piece(" = 4", 20, 20)]), "x2 = 4");
});

Deno.test("assembleLine() gives a line led by a URL the page's right-to-left direction", () => {
  const pieces = [piece("من أي متصفح.", 10, 60), piece("www.example.edu", 75, 80)];
  assert.equal(assembleLine(pieces, "rtl"), "www.example.edu من أي متصفح.");
});

Deno.test("assembleLine() and clean-up turn a justified line cut at its kashidas back into the sentence", () => {
  // The report's regulation: seven pieces cut where kashida stretches the words, drawn leftmost first, which
  // pdf.js alone joins as «آت الفندقيةـــى جميع المنشـــون المرافق علـــون والقانـــذا القانـــرى أحكام هـــتس».
  const logical = [
    "تســـ",
    "رى أحكام هـــ",
    "ذا القانـــ",
    "ون والقانـــ",
    "ون المرافق علـــ",
    "ى جميع المنشـــ",
    "آت الفندقية",
  ];
  let x = 400;
  const pieces = logical.map((str) => {
    const width = str.length * 5;
    x -= width;
    return piece(str, x, width);
  }).reverse();
  assert.equal(
    normalizeExtractedText(assembleLine(pieces, "rtl")),
    "تسرى أحكام هذا القانون والقانون المرافق على جميع المنشآت الفندقية",
  );
});

Deno.test("assembleLine() keeps the letters of a lam-alef glyph in order when pdf.js swapped them", () => {
  // «العلاقات» drawn left to right with one lam-alef glyph mapped to "لا"; reversing the piece character by
  // character, pdf.js returns «العالقات».
  const glyphs = ["ت", "ا", "ق", "لا", "ع", "ل", "ا"];
  assert.equal(assembleLine([{ ...piece("العالقات", 10, 40), glyphs }], "rtl"), "العلاقات");
  // Without the glyphs the swap stays: the letters alone cannot tell «الطلاب» from «الطالب».
  assert.equal(assembleLine([piece("العالقات", 10, 40)], "rtl"), "العالقات");
});

Deno.test("assembleLine() puts a separator drawn inside a number back in place of the gap left for it", () => {
  const pieces = [
    piece("طالبًا", 190, 40),
    piece("4 250", 232, 29),
    piece(",", 238, 4),
    piece("عدد", 264, 20),
  ];
  assert.equal(assembleLine(pieces, "rtl"), "عدد 4,250 طالبًا");
});

Deno.test("assembleLine() puts a colon drawn inside a line into its gap, not into a space piece around it", () => {
  const pieces = [
    piece("قال تعالى وقل", 100, 65),
    piece(" ", 40, 79.5),
    piece(":", 119.5, 3),
    piece("ربي", 20, 15),
  ];
  assert.equal(assembleLine(pieces, "rtl"), "قال تعالى: وقل ربي");
});
