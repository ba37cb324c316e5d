import assert from "node:assert/strict";
import { checkGroundedness, UNSUPPORTED_MARK } from "./groundedness.ts";
import { segments } from "../text/sentences.ts";
import { SentenceGate } from "./sentence_gate.ts";
import type { RetrievedChunk } from "./types.ts";

const chunks: RetrievedChunk[] = [
  {
    chunkId: "c1",
    documentId: "d1",
    documentTitle: "Super Bowl 50",
    page: 1,
    score: 1,
    text:
      "The Panthers defense gave up just 308 points, ranking sixth in the league. Kawann Short led the team " +
      "in sacks with 11.",
  },
  {
    chunkId: "c2",
    documentId: "d2",
    documentTitle: "Warsaw",
    page: 4,
    score: 0.5,
    text: "وارسو هي عاصمة بولندا وأكبر مدنها، ويبلغ عدد سكانها نحو مليوني نسمة.",
  },
];

Deno.test("checkGroundedness() drops an invented sentence and keeps the supported ones", () => {
  const answer =
    "The Panthers defense gave up just 308 points [1]. The team was coached by a famous wizard " +
    "from Mars who invented football [1]. Kawann Short led the team in sacks with 11 [1].";
  const report = checkGroundedness(answer, chunks);
  assert.equal(report.unsupported.length, 1);
  assert.match(report.unsupported[0], /wizard/);
  assert.doesNotMatch(report.text, /wizard/);
  assert.match(report.text, /308 points \[1\]\. Kawann Short/);
  assert.equal(report.supportedClaims, 2);
});

Deno.test("checkGroundedness() rejects a true sentence cited to the wrong chunk and cites an uncited one", () => {
  const wrongCitation = checkGroundedness("Kawann Short led the team in sacks with 11 [2].", chunks);
  assert.equal(wrongCitation.supportedClaims, 0);
  const uncited = checkGroundedness("Kawann Short led the team in sacks with 11.", chunks);
  assert.equal(uncited.text, "Kawann Short led the team in sacks with 11. [1]");
});

Deno.test("checkGroundedness() checks Arabic sentences after normalisation and flags when asked to", () => {
  const arabic = checkGroundedness(
    "وارسو عاصمة بولندا [2]. وارسو أجمل مدينة في العالم كله بلا منازع [2].",
    chunks,
    {
      mode: "flag",
    },
  );
  assert.equal(arabic.supportedClaims, 1);
  assert.equal(arabic.unsupported.length, 1);
  assert.ok(arabic.text.includes(UNSUPPORTED_MARK));
});

Deno.test("checkGroundedness() leaves questions and framing lines alone", () => {
  const report = checkGroundedness("Here is a hint:\n\nWhat did the defense do during the season?", chunks);
  assert.equal(report.unsupported.length, 0);
  assert.equal(report.supportedClaims, 0);
});

Deno.test("SentenceGate releases only checked sentences while streaming, with the same result as the batch check", () => {
  const answer =
    "The Panthers defense gave up just 308 points [1]. Their mascot is a purple dragon named Steve " +
    "[1]. Kawann Short led the team in sacks with 11 [1].";
  const gate = new SentenceGate(chunks, {});
  const released: string[] = [];
  for (const piece of answer.match(/.{1,7}/gs)!) released.push(...gate.push(piece));
  assert.doesNotMatch(released.join(""), /dragon/);
  released.push(...gate.end());
  assert.equal(released.join("").trim(), checkGroundedness(answer, chunks).text);
  assert.equal(segments(answer).join(""), answer);
});

Deno.test("checkGroundedness() judges an Arabic sentence citing English material by its numbers and names", () => {
  const english = [chunks[0]];
  const right = checkGroundedness("تخلى دفاع فريق Panthers عن 308 نقاط فقط [1].", english);
  assert.equal(right.supportedClaims, 1);
  assert.equal(right.verdicts[0].crossLingual, true);
  const wrongNumber = checkGroundedness("تخلى دفاع فريق Panthers عن 512 نقطة فقط [1].", english);
  assert.equal(wrongNumber.supportedClaims, 0);
  const uncited = checkGroundedness("تخلى دفاع الفريق عن عدد قليل من النقاط في ذلك الموسم.", english);
  assert.equal(uncited.supportedClaims, 0);
});

Deno.test("A quoted passage of several sentences is cited once, after its closing mark, streamed or not", () => {
  const answer =
    "Quoted:\n\n“The Panthers defense gave up just 308 points, ranking sixth in the league. Kawann " +
    "Short led the team in sacks with 11.” [1]";
  const whole = checkGroundedness(answer, chunks);
  assert.equal(whole.text, answer);
  assert.equal(whole.supportedClaims, 2);
  const gate = new SentenceGate(chunks, {});
  const streamed = [...answer.match(/\S+\s*|\s+/g)!.flatMap((piece) => gate.push(piece)), ...gate.end()].join(
    "",
  );
  assert.equal(streamed, answer);
  // A passage whose end cites another chunk keeps its first sentence's citation, after the closing mark.
  const mixed = checkGroundedness(
    "“The Panthers defense gave up just 308 points, ranking sixth in the league. وارسو هي عاصمة بولندا وأكبر مدنها.” [2]",
    chunks,
  );
  assert.match(mixed.text, /مدنها\.” \[2\] \[1\]$/);
  assert.doesNotMatch(mixed.text, /league\. \[1\]/);
  // A quotation that never closes still gets the citation its sentence was found under.
  const open = checkGroundedness(
    "“The Panthers defense gave up just 308 points, ranking sixth in the league.",
    chunks,
  );
  assert.match(open.text, /league\. \[1\]$/);
});
