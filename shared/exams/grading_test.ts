import assert from "node:assert/strict";
import {
  gradeObjective,
  gradeOffline,
  gradeShortAnswerOffline,
  itemStatistics,
  optionChoices,
} from "./grading.ts";

Deno.test("gradeObjective() grades exactly, ignoring case and spacing", () => {
  assert.equal(gradeObjective("Elimination", " elimination ").score, 1);
  assert.equal(gradeObjective("True", "False").score, 0);
  assert.equal(gradeObjective("True", null).justification, "No answer given.");
});

Deno.test("gradeShortAnswerOffline() is confident on clear matches and misses, unsure in between", () => {
  const exact = gradeShortAnswerOffline("substitution", "Substitution");
  assert.deepEqual([exact.score, exact.confidence >= 0.9], [1, true]);
  const typo = gradeShortAnswerOffline("substitution", "substitutoin");
  assert.equal(typo.score, 1);
  assert.ok(typo.confidence >= 0.7);
  const wrong = gradeShortAnswerOffline("substitution", "photosynthesis");
  assert.equal(wrong.score, 0);
  assert.ok(wrong.confidence >= 0.6);
  const partial = gradeShortAnswerOffline("the point of intersection of the two lines", "where lines cross");
  assert.ok(partial.confidence < 0.7, "a paraphrase goes to the instructor");
  assert.equal(gradeShortAnswerOffline("x", "").score, 0);
  assert.equal(gradeOffline("multiple_choice", "A", "a").score, 1);
});

Deno.test("gradeShortAnswerOffline() handles Arabic letter variants", () => {
  assert.equal(gradeShortAnswerOffline("الميتوكوندريا", "الميتوكوندريآ").score, 1);
  assert.equal(gradeShortAnswerOffline("مدرسة", "مدرسه").score, 1);
});

Deno.test("itemStatistics() computes difficulty and discrimination from ranked attempts", () => {
  const responses = [];
  // Eight attempts: the strong half gets both items right, the weak half only the easy one.
  for (let i = 0; i < 8; i++) {
    const strong = i < 4;
    responses.push({ attemptId: `a${i}`, itemId: "easy", score: 1 });
    responses.push({ attemptId: `a${i}`, itemId: "hard", score: strong ? 1 : 0 });
  }
  const stats = Object.fromEntries(itemStatistics(responses).map((s) => [s.itemId, s]));
  assert.equal(stats.easy.difficulty, 1);
  assert.equal(stats.easy.discrimination, 0);
  assert.equal(stats.hard.difficulty, 0.5);
  assert.equal(stats.hard.discrimination, 1);
  assert.equal(itemStatistics(responses.slice(0, 4))[0].discrimination, null);
});

Deno.test("gradeShortAnswerOffline() gives no half credit to an unrelated word of similar length", () => {
  const grade = gradeShortAnswerOffline("common", "good");
  assert.equal(grade.score, 0);
  assert.equal(gradeShortAnswerOffline("variable", "vertical").score, 0);
});

Deno.test("gradeShortAnswerOffline() accepts typos, inflections and number words as the key", () => {
  assert.equal(gradeShortAnswerOffline("substitution", "substitusion").score, 1);
  assert.equal(gradeShortAnswerOffline("equations", "equation").score, 1);
  assert.equal(gradeShortAnswerOffline("3", "three").score, 1);
  assert.equal(gradeShortAnswerOffline("two lines", "2 lines").score, 1);
});

Deno.test("gradeShortAnswerOffline() gives half credit, for review, when part of a several-word key is there", () => {
  const grade = gradeShortAnswerOffline("elimination method", "elimination");
  assert.equal(grade.score, 0.5);
  assert.ok(grade.confidence < 0.6);
});

Deno.test("optionChoices() counts each option's picks, the key marked, and unmatched answers apart", () => {
  const items = [
    { id: "mc", options: ["Gauss", "Euler", "Cramer"], answerKey: "Gauss" },
    { id: "sa", options: [], answerKey: "elimination" },
  ];
  const out = optionChoices(items, [
    { itemId: "mc", answer: " gauss " },
    { itemId: "mc", answer: "Euler" },
    { itemId: "mc", answer: "Gauss" },
    { itemId: "mc", answer: null },
    { itemId: "mc", answer: "Newton" },
    { itemId: "sa", answer: "elimination" },
  ]);
  assert.deepEqual(out, [{
    itemId: "mc",
    choices: [
      { option: "Gauss", count: 2, key: true },
      { option: "Euler", count: 1, key: false },
      { option: "Cramer", count: 0, key: false },
    ],
    other: 2,
  }]);
});
