import assert from "node:assert/strict";
import { AppError, ErrorCode } from "./errors.ts";
import { withTimeout } from "./timeouts.ts";

Deno.test("withTimeout() passes a prompt result through and rejects a slow one with a TIMEOUT AppError", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 50, "slow"), 7);
  let release = () => {};
  const slow = new Promise<void>((resolve) => release = resolve);
  await assert.rejects(withTimeout(slow, 10, "It took longer than 10 ms"), (err) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, ErrorCode.TIMEOUT);
    assert.equal(err.message, "It took longer than 10 ms");
    return true;
  });
  release();
});
