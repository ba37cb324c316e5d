import assert from "node:assert/strict";
import { parseCsv, parseRoster } from "./roster_csv.ts";

Deno.test("parseCsv() handles quotes, doubled quotes, CRLF and blank lines", () => {
  const records = parseCsv('a,"b,c"\r\n\r\n"say ""hi""",d\nlast');
  assert.deepEqual(records, [
    { line: 1, fields: ["a", "b,c"] },
    { line: 3, fields: ['say "hi"', "d"] },
    { line: 4, fields: ["last"] },
  ]);
});

Deno.test("parseRoster() skips the header and a BOM, lower-cases emails and defaults the role to student", () => {
  const rows = parseRoster("\uFEFFEmail,Role\n A@Uni.EDU ,Instructor\nb@uni.edu\n");
  assert.deepEqual(rows, [
    { line: 2, email: "a@uni.edu", role: "instructor" },
    { line: 3, email: "b@uni.edu", role: "student" },
  ]);
  assert.deepEqual(parseRoster("c@uni.edu,student"), [{ line: 1, email: "c@uni.edu", role: "student" }]);
});

Deno.test("parseCsv() reads a quote that is never closed as a character, so the rows after it survive", () => {
  const records = parseCsv('a@x.y,student\n"b@x.y,student\nc@x.y,ta\n');
  assert.deepEqual(records, [
    { line: 1, fields: ["a@x.y", "student"] },
    { line: 2, fields: ['"b@x.y', "student"] },
    { line: 3, fields: ["c@x.y", "ta"] },
  ]);
  assert.deepEqual(parseCsv('x,"multi\nline"\ny'), [
    { line: 1, fields: ["x", "multi\nline"] },
    { line: 3, fields: ["y"] },
  ]);
});
