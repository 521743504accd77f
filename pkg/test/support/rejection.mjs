// What a call that must fail threw: a ForgelinkError whose guidance is for its own code.

import assert from "node:assert/strict";

import { ForgelinkError } from "../../flows.js";

/** Awaits `promise`, which must reject with a ForgelinkError; returns the error. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ForgelinkError, `${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.guidance.code, error.code);
    return error;
  }
  assert.fail("expected a rejection");
}
