import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import packageJson from "../../package.json" with { type: "json" };

/**
 * The image cannot be built here (no base images can be pulled), so these check what the
 * files promise; tests/e2e/ship-smoke.test.ts runs the binary as the runtime stage does:
 * alone in a folder with no node_modules and no source.
 */
const ROOT = resolve(import.meta.dir, "../..");
const dockerfile = readFileSync(resolve(ROOT, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n\s*/g, " ")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));

function stages(): string[][] {
  const result: string[][] = [];
  for (const line of instructions) {
    if (line.startsWith("FROM ")) result.push([]);
    result.at(-1)?.push(line);
  }
  return result;
}

test("the build stage uses the Bun of package.json's packageManager", () => {
  const bun = packageJson.packageManager.replace(/^bun@/, "");
  expect(stages()[0]?.[0]).toBe(`FROM oven/bun:${bun} AS build`);
  expect(dockerfile).toContain("bun install --frozen-lockfile");
  expect(dockerfile).toContain("bun run build");
});

test("the runtime stage runs the binary alone, as mcr, with ports, volume and health check", () => {
  const runtime = stages().at(-1) ?? [];
  expect(runtime[0]).toMatch(/^FROM (debian:bookworm-slim|gcr\.io\/distroless\/cc\S*) AS runtime$/);
  expect(runtime).toContain("COPY --from=build /src/dist/mcr /usr/local/bin/mcr");
  expect(runtime).toContain("USER mcr:mcr");
  expect(runtime).toContain("EXPOSE 8443 9443 8080");
  expect(runtime).toContain('VOLUME ["/srv/mcr"]');
  expect(runtime.find((line) => line.startsWith("HEALTHCHECK"))).toContain(
    'CMD ["/usr/local/bin/mcr", "health"]',
  );
  // Nothing but the binary comes from the build stage: no node_modules, no source.
  expect(runtime.filter((line) => line.startsWith("COPY"))).toHaveLength(1);
  const env = runtime.find((line) => line.startsWith("ENV")) ?? "";
  expect(env).toContain("MCR_SERVER_LISTEN=0.0.0.0:8443");
  expect(env).toContain("MCR_SERVER_RPC_LISTEN=0.0.0.0:9443");
  expect(env).toContain("MCR_STORAGE_DATA_DIR=/srv/mcr");
});

test(".dockerignore keeps the host's modules, builds and history out of the context", () => {
  const ignored = readFileSync(resolve(ROOT, ".dockerignore"), "utf8").split("\n");
  for (const entry of ["node_modules", "dist", ".git", "data"]) expect(ignored).toContain(entry);
});

test("the rift compose file publishes the three ports on loopback only", () => {
  const compose = Bun.YAML.parse(
    readFileSync(resolve(ROOT, "deploy/docker/docker-compose-rift.yml"), "utf8"),
  ) as { services: Record<string, { ports?: string[]; command?: string[] }> };
  const ports = Object.values(compose.services).flatMap((service) => service.ports ?? []);
  expect(ports.sort()).toEqual([
    "127.0.0.1:28080:8080",
    "127.0.0.1:28443:8443",
    "127.0.0.1:29443:9443",
  ]);
  expect(compose.services.mcr?.command).toEqual(["serve", "--config", "/srv/mcr/mcr.toml"]);
});
