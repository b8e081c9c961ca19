import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { pushImageAs } from "../helpers/auth.ts";
import { sha256 } from "../helpers/oci-client.ts";
import {
  type CtlServer,
  ctl,
  ctlInTerminal,
  jsonOf,
  startCtlServer,
  TRANSPORTS,
} from "./ctl-harness.ts";

let server: CtlServer;
let image: { digest: string; manifest: string };
let indexDigest: string;
let signatureDigest: string;

/** PUTs a manifest as admin and returns its digest. */
async function putManifest(name: string, reference: string, mediaType: string, body: string) {
  const response = await fetch(`${server.urls.rest}/v2/${name}/manifests/${reference}`, {
    method: "PUT",
    headers: { Authorization: server.adminBasic, "Content-Type": mediaType },
    body,
  });
  if (response.status !== 201) throw new Error(`PUT manifest: ${response.status}`);
  return sha256(body);
}

beforeAll(async () => {
  server = await startCtlServer();
  image = await pushImageAs(server.urls.rest, "team/app", "v1", server.adminBasic);
  await pushImageAs(server.urls.rest, "team/app", "v2", server.adminBasic);
  for (const name of ["one", "two", "three", "four", "five"]) {
    await pushImageAs(server.urls.rest, `scratch/${name}`, "latest", server.adminBasic);
  }
  indexDigest = await putManifest(
    "team/app",
    "multi",
    "application/vnd.oci.image.index.v1+json",
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: image.digest,
          size: image.manifest.length,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
      ],
    }),
  );
  // A signature: an artifact whose subject is v1.
  const empty = "{}";
  await fetch(`${server.urls.rest}/v2/team/app/blobs/uploads/?digest=${sha256(empty)}`, {
    method: "POST",
    headers: { Authorization: server.adminBasic },
    body: empty,
  });
  signatureDigest = await putManifest(
    "team/app",
    "sig",
    "application/vnd.oci.image.manifest.v1+json",
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.example.signature",
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(empty), size: 2 },
      layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(empty), size: 2 }],
      subject: {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: image.digest,
        size: image.manifest.length,
      },
    }),
  );
});
afterAll(() => server.stop());

const short = (digest: string) => digest.slice(0, "sha256:".length + 12);

describe.each(TRANSPORTS)("over %s", (transport) => {
  test("repo list: a table with sizes and times, and every repository in --json", async () => {
    const human = await ctl(server, transport, ["repo", "list"]);
    expect(human.code).toBe(0);
    const lines = human.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +TAGS +MANIFESTS +SIZE +LAST PUSH$/);
    const app = lines.find((line) => line.startsWith("team/app "));
    expect(app).toMatch(/^team\/app +4 +4 +\d+ B +just now \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);

    const json = jsonOf<{ repositories: Array<{ name: string }> }>(
      await ctl(server, transport, ["repo", "list", "--json"]),
    );
    expect(json.repositories.map((repository) => repository.name)).toContain("team/app");
  });

  test("repo show: tags, manifests, sizes, platforms and referrers", async () => {
    const human = await ctl(server, transport, ["repo", "show", "team/app"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toStartWith("team/app: 4 tags, 4 manifests\n\nTAG ");
    expect(human.stdout).toMatch(new RegExp(`\\nv1 +${short(image.digest)} +just now`));
    expect(human.stdout).toMatch(/\n {2}platforms: linux\/arm64\/v8\n/);
    expect(human.stdout).toContain(`  referrers: ${short(signatureDigest)}\n`);
    expect(human.stdout).toContain("  artifact type: application/vnd.example.signature\n");
    expect(human.stdout).toContain(`  subject: ${short(image.digest)}\n`);

    const json = jsonOf<{ manifests: Array<{ digest: string; platforms: string[] }> }>(
      await ctl(server, transport, ["repo", "show", "team/app", "--json"]),
    );
    const index = json.manifests.find((manifest) => manifest.digest === indexDigest);
    expect(index?.platforms).toEqual(["linux/arm64/v8"]);
  });

  test("tag list names each tag and its digest", async () => {
    const human = await ctl(server, transport, ["tag", "list", "team/app"]);
    expect(human.stdout.split("\n")[0]).toMatch(/^TAG +DIGEST +UPDATED$/);
    expect(human.stdout).toMatch(new RegExp(`\\nmulti +${short(indexDigest)} `));
    const json = jsonOf<{ name: string; tags: Array<{ name: string }> }>(
      await ctl(server, transport, ["tag", "list", "team/app", "--json"]),
    );
    expect(json.name).toBe("team/app");
    expect(json.tags.map((tag) => tag.name).sort()).toEqual(["multi", "sig", "v1", "v2"]);
  });

  test("a repository that does not exist is one line and exit 1", async () => {
    const missing = await ctl(server, transport, ["repo", "show", "no/such"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("mcr ctl: repository no/such is not known\n");
  });
});

/**
 * Output with relative times ("just now", "5 seconds ago") blanked out, and the column
 * padding their lengths change squeezed.
 */
function withoutAges(text: string): string {
  return text
    .replace(/\b(just now|\d+ (second|minute|hour|day)s? ago)\b/g, "(a while ago)")
    .replace(/ +/g, " ");
}

test("both transports print the same for the same command", async () => {
  for (const args of [
    ["repo", "list"],
    ["repo", "show", "team/app"],
    ["tag", "list", "team/app"],
  ]) {
    for (const json of [[], ["--json"]]) {
      const rest = await ctl(server, "rest", [...args, ...json]);
      const grpc = await ctl(server, "grpc", [...args, ...json]);
      // A second may pass between the two: "5 seconds ago" and "6 seconds ago" are the same.
      expect(withoutAges(grpc.stdout)).toBe(withoutAges(rest.stdout));
    }
  }
});

describe("deletes ask first", () => {
  test("without a terminal and without --yes nothing is deleted", async () => {
    for (const args of [
      ["repo", "delete", "scratch/one"],
      ["tag", "delete", "scratch/one:latest"],
    ]) {
      const refused = await ctl(server, "rest", args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toEndWith("without confirmation: pass --yes\n");
    }
    expect((await ctl(server, "rest", ["repo", "show", "scratch/one"])).code).toBe(0);
  });

  test("on a terminal, no keeps it and yes deletes it", async () => {
    const declined = await ctlInTerminal(
      server,
      "grpc",
      ["repo", "delete", "scratch/one"],
      [["Delete repository scratch/one (1 tag, 1 manifest)? [y/N]", "n"]],
    );
    expect(declined.code).toBe(1);
    expect(declined.screen).toContain("nothing was deleted");

    const accepted = await ctlInTerminal(
      server,
      "rest",
      ["tag", "delete", "scratch/one:latest"],
      [["Delete tag scratch/one:latest? [y/N]", "yes"]],
    );
    expect(accepted.code).toBe(0);
    expect(accepted.screen).toContain("deleted tag scratch/one:latest");
  });

  test.each(TRANSPORTS)("--yes deletes tags and repositories over %s", async (transport) => {
    const [first, second] = transport === "rest" ? ["two", "four"] : ["three", "five"];
    const tag = await ctl(server, transport, ["tag", "delete", `scratch/${first}:latest`, "--yes"]);
    expect(tag.stdout).toBe(`deleted tag scratch/${first}:latest\n`);
    const repo = await ctl(server, transport, [
      "repo",
      "delete",
      `scratch/${first}`,
      "-y",
      "--json",
    ]);
    expect(jsonOf(repo)).toEqual({ repository: `scratch/${first}`, deleted: true });
    expect((await ctl(server, transport, ["repo", "show", `scratch/${first}`])).code).toBe(1);

    const human = await ctl(server, transport, ["repo", "delete", `scratch/${second}`, "--yes"]);
    expect(human.stdout).toBe(
      `deleted repository scratch/${second} (1 tag, 1 manifest); ` +
        "the next garbage collection frees its blobs\n",
    );
  });
});
