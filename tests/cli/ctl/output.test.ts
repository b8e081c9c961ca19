import { expect, test } from "bun:test";
import { shortDigest } from "../../../src/cli/ctl/output/digest.ts";
import { formatSize } from "../../../src/cli/ctl/output/size.ts";
import { formatFields, formatTable } from "../../../src/cli/ctl/output/table.ts";
import { absoluteSeconds, formatTime, relativeTime } from "../../../src/cli/ctl/output/time.ts";

test("sizes in binary units", () => {
  expect(formatSize(0)).toBe("0 B");
  expect(formatSize(1023)).toBe("1023 B");
  expect(formatSize(1536)).toBe("1.5 KiB");
  expect(formatSize(5 * 1024 ** 2)).toBe("5.0 MiB");
  expect(formatSize(3.25 * 1024 ** 3)).toBe("3.3 GiB");
});

test("times relative and absolute, in UTC", () => {
  const now = new Date("2026-12-04T15:19:30Z");
  expect(formatTime("2026-12-04T15:16:09Z", now)).toBe("3 minutes ago (2026-12-04 15:16 UTC)");
  expect(relativeTime("2026-12-04T15:19:28Z", now)).toBe("just now");
  expect(relativeTime("2026-12-05T16:19:30Z", now)).toBe("in 1 day");
  expect(relativeTime("2026-12-04T14:19:30Z", now)).toBe("1 hour ago");
  expect(absoluteSeconds("2026-12-04T15:16:09.123Z")).toBe("2026-12-04 15:16:09 UTC");
});

test("tables align columns with no trailing blanks", () => {
  expect(
    formatTable(
      ["NAME", "TAGS", "NOTE"],
      [
        ["team/app", "3", ""],
        ["a", "10", "x"],
      ],
    ),
  ).toBe("NAME      TAGS  NOTE\nteam/app  3\na         10    x");
  expect(
    formatFields([
      ["id", "7"],
      ["effect", "allow"],
    ]),
  ).toBe("id:      7\neffect:  allow");
});

test("short digests keep the algorithm and 12 hex digits", () => {
  expect(shortDigest(`sha256:${"ab".repeat(32)}`)).toBe("sha256:abababababab");
  expect(shortDigest("not-a-digest")).toBe("not-a-digest");
});
