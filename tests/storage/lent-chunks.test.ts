import { expect, test } from "bun:test";
import { takeChunk } from "../../src/storage/lent-chunks.ts";

test("a lent chunk that fills its buffer is taken as it is", () => {
  const chunk = new Uint8Array(64).fill(5);
  expect(takeChunk(chunk, true)).toBe(chunk.buffer);
});

test("a chunk sharing its buffer is copied, even when lent, and the sharers keep their bytes", () => {
  const shared = new Uint8Array(100).fill(9);
  const chunk = shared.subarray(10, 30);
  const taken = takeChunk(chunk, true);
  expect(taken).not.toBe(shared.buffer);
  expect(new Uint8Array(taken)).toEqual(new Uint8Array(20).fill(9));
  structuredClone(taken, { transfer: [taken] });
  expect(shared.buffer.detached).toBe(false);
  expect(shared.every((byte) => byte === 9)).toBe(true);
});

test("a chunk that was not lent is copied", () => {
  const chunk = new Uint8Array(64).fill(3);
  const taken = takeChunk(chunk, false);
  expect(taken).not.toBe(chunk.buffer);
  expect(new Uint8Array(taken)).toEqual(chunk);
});
