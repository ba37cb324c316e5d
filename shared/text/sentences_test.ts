import assert from "node:assert/strict";
import {
  citationMarkers,
  completeSegmentLength,
  segments,
  splitSentences,
  withoutMarkers,
} from "./sentences.ts";

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

Deno.test("splitSentences() keeps citation markers with their sentence and decimals whole", () => {
  assert.deepEqual(
    splitSentences("Water boils at 100 degrees. [1] It freezes at 0 [2]. Pi is 3.14 roughly."),
    [
      "Water boils at 100 degrees. [1]",
      "It freezes at 0 [2].",
      "Pi is 3.14 roughly.",
    ],
  );
  assert.deepEqual(citationMarkers("A [1] and [3]."), [1, 3]);
  assert.equal(withoutMarkers("A [1] and [3]."), "A and.");
});

Deno.test("splitSentences() does not cut after initials, abbreviations or before a lower-case word", () => {
  assert.deepEqual(
    splitSentences(
      "It is named after millionaire M. Theo Kearney. The genome of Y. pestis was found. Dr. Smith agreed.",
    ),
    [
      "It is named after millionaire M. Theo Kearney.",
      "The genome of Y. pestis was found.",
      "Dr. Smith agreed.",
    ],
  );
});

Deno.test("splitSentences() keeps a sentence whole across a line break before a quotation mark or bracket", () => {
  assert.deepEqual(
    splitSentences(
      "You find them by simply\n“eyeballing” the graph. We do it in the second\n(“substitution”) step.",
    ),
    ["You find them by simply “eyeballing” the graph.", "We do it in the second (“substitution”) step."],
  );
});

Deno.test("segments() keeps a sentence whole across initials and abbreviations", () => {
  const text =
    "In 1973, Nixon named William E. Simon as administrator [1]. The Y. pestis genome was found [2].";
  assert.deepEqual(segments(text), [
    "In 1973, Nixon named William E. Simon as administrator [1]. ",
    "The Y. pestis genome was found [2].",
  ]);
  assert.equal(segments(text).join(""), text);
});

Deno.test("completeSegmentLength() waits while the last sentence may still grow", () => {
  assert.equal(completeSegmentLength("The sun is a star"), null);
  assert.equal(completeSegmentLength("The sun is a star."), null);
  assert.equal(completeSegmentLength("The sun is a star. It"), "The sun is a star. ".length);
});
