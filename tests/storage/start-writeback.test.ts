import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { loadStartWriteback } from "../../src/storage/start-writeback.ts";
import { makeTempFolder, removeFolder } from "../helpers/test-registry.ts";

const folder = makeTempFolder();
afterAll(() => removeFolder(folder));

describe("loadStartWriteback", () => {
  const startWriteback = loadStartWriteback();

  test("on Linux it loads sync_file_range from the C library", () => {
    expect(process.platform).toBe("linux");
    expect(startWriteback).toBeFunction();
  });

  test("the kernel takes a written range of an open file", () => {
    const fd = openSync(join(folder, "dirty"), "w");
    try {
      writeSync(fd, new Uint8Array(4 * 1024 * 1024).fill(3));
      expect(startWriteback?.({ fd, offset: 0, length: 4 * 1024 * 1024 })).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  // The answer comes from the system call, not from the wrapper: a descriptor that is not
  // open is refused (EBADF), and so is a range that starts before the file does (EINVAL).
  test("the kernel refuses a closed descriptor and a negative offset", () => {
    const fd = openSync(join(folder, "closed"), "w");
    closeSync(fd);
    expect(startWriteback?.({ fd, offset: 0, length: 4096 })).toBe(false);

    const open = openSync(join(folder, "negative"), "w");
    try {
      expect(startWriteback?.({ fd: open, offset: -4096, length: 4096 })).toBe(false);
    } finally {
      closeSync(open);
    }
  });
});
