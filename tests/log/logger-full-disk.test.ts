import { expect, test } from "bun:test";
import { join } from "node:path";

const LOGGER = join(import.meta.dir, "../../src/log/logger.ts");

/** A child process logs with standard error on /dev/full, where every write fails. */
test("a log line that cannot be written is lost without ending the process", async () => {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOGGER)});
    const log = createLogger({ level: "info", format: "json" });
    for (let i = 0; i < 20; i++) {
      log.info("a request", { i });
      await Bun.sleep(5);
    }
    console.log("still serving");
  `;
  const child = Bun.spawn([process.execPath, "-e", script], {
    stdout: "pipe",
    stderr: Bun.file("/dev/full"),
  });
  const output = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  expect(output.trim()).toBe("still serving");
});
