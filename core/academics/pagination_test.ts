import assert from "node:assert/strict";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { decodeCursor, encodeCursor } from "./pagination.ts";

Deno.test("encodeCursor() writes base64url that decodeCursor() reads back", () => {
  const position = ["x", "???>>>"]; // standard base64 of its JSON has "/" and "+"
  const cursor = encodeCursor(position);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(cursor), position);
});

Deno.test("decodeCursor() still reads a cursor written in standard base64 without padding", () => {
  const legacy = btoa(JSON.stringify(["x", "???>>>"])).replace(/=+$/, "");
  assert.match(legacy, /[+/]/);
  assert.deepEqual(decodeCursor(legacy), ["x", "???>>>"]);
});

Deno.test("decodeCursor() answers 400 to what is not a cursor", () => {
  for (const bad of ["nonsense", "a", "%%%", btoa("not json")]) {
    assert.throws(
      () => decodeCursor(bad),
      (e) => e instanceof AppError && e.code === ErrorCode.BAD_REQUEST,
      bad,
    );
  }
});
