import { inParallel, mountBlob, pushSmallImage, putManifest } from "../lib/registry-client.ts";
import { median, secondsSince } from "../lib/stats.ts";
import type { Measurement, Scenario } from "./scenario.ts";

const TAGS = Number(process.env.BENCH_TAGS ?? 10_000);
const REPOSITORIES = Number(process.env.BENCH_REPOSITORIES ?? 10_000);
/** Concurrent requests while filling: enough to keep either server busy on two cores. */
const CONCURRENCY = 16;

/** Scenario 5a: many tag PUTs of one manifest, then tags/list of that repository. */
export function tagScenario(rounds: number): Scenario {
  return {
    name: "tags",
    rounds,
    async run(server): Promise<Measurement[]> {
      const { manifest } = await pushSmallImage(server.url, "bench/tags", "seed");
      let started = performance.now();
      await inParallel(TAGS, CONCURRENCY, (i) =>
        putManifest(server.url, "bench/tags", `t${i}`, manifest),
      );
      const putSeconds = secondsSince(started);

      const listTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        started = performance.now();
        const response = await fetch(`${server.url}/v2/bench/tags/tags/list`);
        const body = (await response.json()) as { tags: string[] };
        if (body.tags.length !== TAGS + 1) throw new Error(`listed ${body.tags.length} tags`);
        listTimes.push(secondsSince(started) * 1000);
      }
      return [
        {
          row: `${TAGS} tag PUTs (${CONCURRENCY} at a time)`,
          value: putSeconds,
          unit: "s",
          better: "lower",
        },
        {
          row: `tags/list of ${TAGS + 1} tags`,
          value: median(listTimes),
          unit: "ms",
          better: "lower",
        },
      ];
    },
  };
}

/** Scenario 5b: the catalog of many repositories, read in pages of 1000. */
export function catalogScenario(rounds: number): Scenario {
  return {
    name: "catalog",
    rounds,
    async run(server): Promise<Measurement[]> {
      const source = "bench/source";
      const { manifest, config, layer } = await pushSmallImage(server.url, source, "seed");
      await inParallel(REPOSITORIES, CONCURRENCY, async (i) => {
        const repository = `bench/r${String(i).padStart(5, "0")}`;
        await mountBlob(server.url, repository, source, config.digest);
        await mountBlob(server.url, repository, source, layer.digest);
        await putManifest(server.url, repository, "latest", manifest);
      });

      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const count = await listCatalog(server.url);
        if (count !== REPOSITORIES + 1) throw new Error(`catalog listed ${count} repositories`);
        times.push(secondsSince(started) * 1000);
      }
      return [
        {
          row: `catalog of ${REPOSITORIES + 1} repositories (pages of 1000)`,
          value: median(times),
          unit: "ms",
          better: "lower",
        },
      ];
    },
  };
}

/** Follows the catalog's Link headers to the end; returns how many names it listed. */
async function listCatalog(base: string): Promise<number> {
  let next: string | null = `${base}/v2/_catalog?n=1000`;
  let count = 0;
  while (next) {
    const response: Response = await fetch(next);
    const body = (await response.json()) as { repositories: string[] };
    count += body.repositories.length;
    const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    next = link ? new URL(link, base).toString() : null;
  }
  return count;
}
