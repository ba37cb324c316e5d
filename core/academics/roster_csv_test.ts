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
