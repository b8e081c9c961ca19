import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secondsSince } from "../lib/stats.ts";
import type { Measurement, Scenario } from "./scenario.ts";

/** ../shared/realworld/make-images.sh output; the 5-layer image has a 100 MiB layer. */
const IMAGES = process.env.BENCH_IMAGES ?? "/tmp/mcr-realworld/images";

export function skopeoAvailable(): boolean {
  return existsSync(join(IMAGES, "multilayer")) && Bun.which("skopeo") !== null;
}

/** Scenario 6: skopeo copy of a real 5-layer image, push then pull. */
export function skopeoScenario(rounds: number): Scenario {
  return {
    name: "skopeo",
    rounds,
    async run(server): Promise<Measurement[]> {
      const target = `docker://${new URL(server.url).host}/bench/multilayer:1`;
      let started = performance.now();
      await skopeo([
        "copy",
        "--dest-tls-verify=false",
        `oci:${join(IMAGES, "multilayer")}`,
        target,
      ]);
      const push = secondsSince(started);

      const out = mkdtempSync(join(tmpdir(), "bench-skopeo-"));
      try {
        started = performance.now();
        await skopeo(["copy", "--src-tls-verify=false", target, `oci:${join(out, "image")}`]);
        const pull = secondsSince(started);
        return [
          {
            row: "skopeo copy, 5 layers incl. 100 MiB: push",
            value: push,
            unit: "s",
            better: "lower",
          },
          {
            row: "skopeo copy, 5 layers incl. 100 MiB: pull",
            value: pull,
            unit: "s",
            better: "lower",
          },
        ];
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  };
}

async function skopeo(args: string[]) {
  const child = Bun.spawn(["skopeo", "--insecure-policy", ...args], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const stderr = await new Response(child.stderr).text();
  if ((await child.exited) !== 0) throw new Error(`skopeo ${args.join(" ")}: ${stderr}`);
}
