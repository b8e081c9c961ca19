import { describe, expect, test } from "bun:test";
import { MemoryValve } from "../../src/server/memory-valve.ts";

const MiB = 1024 * 1024;

/** A valve over a pretend process whose memory and clock the test moves. */
function pretendProcess(
  options: { headroomMiB?: number; minIntervalMs?: number; floorMiB?: number } = {},
) {
  const state = { residentMiB: 50, nowMs: 0, collections: 0, freedTo: 50 };
  const valve = new MemoryValve({
    headroomBytes: (options.headroomMiB ?? 16) * MiB,
    floorBytes: (options.floorMiB ?? 0) * MiB,
    minIntervalMs: options.minIntervalMs ?? 50,
    checkEveryBytes: MiB,
    residentBytes: () => state.residentMiB * MiB,
    now: () => state.nowMs,
    collect: () => {
      state.collections++;
      state.residentMiB = state.freedTo;
    },
  });
  return { valve, state };
}

describe("MemoryValve", () => {
  test("does not collect while memory stays within the headroom", () => {
    const { valve, state } = pretendProcess();
    state.residentMiB = 65;
    for (let i = 0; i < 100; i++) valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(0);
  });

  test("a headroom of 0 never collects, however high memory goes", () => {
    const { valve, state } = pretendProcess({ headroomMiB: 0 });
    state.residentMiB = 10_000;
    for (let i = 0; i < 100; i++) {
      valve.bodyBytesRead(MiB);
      state.nowMs += 1000;
    }
    expect(state.collections).toBe(0);
  });

  test("collects once memory rises past the headroom, and measures again after", () => {
    const { valve, state } = pretendProcess();
    state.residentMiB = 67;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
    expect(state.residentMiB).toBe(50);
  });

  test("looks at memory only every so many body bytes", () => {
    const { valve, state } = pretendProcess();
    state.residentMiB = 90;
    valve.bodyBytesRead(MiB / 2);
    expect(state.collections).toBe(0);
    valve.bodyBytesRead(MiB / 2);
    expect(state.collections).toBe(1);
  });

  test("collects at most once per interval however fast memory rises", () => {
    const { valve, state } = pretendProcess({ minIntervalMs: 50 });
    state.freedTo = 50;
    for (let ms = 0; ms < 1000; ms += 5) {
      state.nowMs = ms;
      state.residentMiB = 200;
      valve.bodyBytesRead(MiB);
    }
    expect(state.collections).toBe(20);
  });

  test("memory that stays after a collection raises the level, so it is not collected again", () => {
    const { valve, state } = pretendProcess();
    // A cache grew: a collection frees nothing below 120 MiB.
    state.freedTo = 120;
    state.residentMiB = 120;
    state.nowMs = 1000;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
    for (let ms = 2000; ms < 3000; ms += 100) {
      state.nowMs = ms;
      state.residentMiB = 130;
      valve.bodyBytesRead(MiB);
    }
    expect(state.collections).toBe(1);
    state.residentMiB = 137;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(2);
  });

  test("never collects under the floor, and collects past it", () => {
    const { valve, state } = pretendProcess({ floorMiB: 88 });
    state.freedTo = 60;
    state.residentMiB = 87;
    for (let i = 0; i < 10; i++) valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(0);
    state.residentMiB = 89;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
    // Back at 60: the floor, not 60 + 16, is the next level.
    state.nowMs = 1000;
    state.residentMiB = 80;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
  });

  test("each body in flight widens the headroom, up to four bodies", () => {
    const { valve, state } = pretendProcess();
    for (let i = 0; i < 3; i++) valve.bodyOpened();
    state.residentMiB = 97; // under 50 + 3 x 16
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(0);
    state.residentMiB = 99;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);

    for (let i = 0; i < 7; i++) valve.bodyOpened();
    state.nowMs = 1000;
    state.residentMiB = 113; // ten open, but four count: 50 + 64
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
    state.residentMiB = 115;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(2);
  });

  test("bodies that close narrow the headroom again", () => {
    const { valve, state } = pretendProcess();
    for (let i = 0; i < 4; i++) valve.bodyOpened();
    for (let i = 0; i < 4; i++) valve.bodyClosed();
    valve.bodyClosed(); // one too many is harmless
    state.residentMiB = 67;
    valve.bodyBytesRead(MiB);
    expect(state.collections).toBe(1);
  });

  test("looks at memory only once the bytes read could have brought it to the limit", () => {
    let looks = 0;
    let residentMiB = 50;
    const valve = new MemoryValve({
      headroomBytes: 16 * MiB,
      floorBytes: 0,
      checkEveryBytes: 64 * MiB,
      residentBytes: () => {
        looks++;
        return residentMiB * MiB;
      },
      collect: () => {
        residentMiB = 50;
      },
    });
    looks = 0;
    // Half a MiB of memory per MiB of body: 50 + 15 MiB of body could not have reached 66.
    for (let i = 0; i < 15; i++) {
      valve.bodyBytesRead(MiB);
      residentMiB += 0.5;
    }
    expect(looks).toBe(0);
    valve.bodyBytesRead(MiB);
    expect(looks).toBe(1);
    // It was at 57.5: the next look comes 8.5 MiB of body later.
    for (let i = 0; i < 8; i++) valve.bodyBytesRead(MiB);
    expect(looks).toBe(1);
    valve.bodyBytesRead(MiB);
    expect(looks).toBe(2);
  });

  test("memory hovering just under the limit is read only every 2 MiB of body", () => {
    let looks = 0;
    const valve = new MemoryValve({
      headroomBytes: 16 * MiB,
      floorBytes: 0,
      checkEveryBytes: 64 * MiB,
      residentBytes: () => {
        looks++;
        // First the level (50 MiB), then a hair under its limit of 66, for good.
        return (looks === 1 ? 50 : 65.9) * MiB;
      },
      collect: () => {},
    });
    // The first look comes once the body could have filled the 16 MiB to the limit.
    for (let i = 0; i < 32; i++) valve.bodyBytesRead(MiB / 2);
    expect(looks).toBe(2);
    // From there every half MiB could reach it; 32 MiB more of body is 16 looks, not 64.
    for (let i = 0; i < 64; i++) valve.bodyBytesRead(MiB / 2);
    expect(looks).toBe(2 + 16);
  });
});
