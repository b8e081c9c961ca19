import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, Code } from "@connectrpc/connect";
import { type GcStatus, RegistryService } from "../../src/gen/mcr/v1/registry_pb.ts";
import {
  type AuthRegistry,
  basic,
  bearer,
  pushImageAs,
  startAuthRegistry,
} from "../helpers/auth.ts";
import { sha256 } from "../helpers/oci-client.ts";
import {
  accountWithToken,
  connectRpc,
  expectEveryMethodRefused,
  expectRpcError,
  outcomeOf,
  type RpcConnector,
  type ValidRequests,
} from "../helpers/rpc-client.ts";

/** mcr.v1.RegistryService over native gRPC: repositories, their deletion, and collection. */
let registry: AuthRegistry;
let rpc: RpcConnector;
let service: Client<typeof RegistryService>;
beforeAll(async () => {
  // No grace period, so that a collection frees what was just deleted.
  registry = await startAuthRegistry({ MCR_GC_GRACE_PERIOD: "0s" });
  rpc = connectRpc(registry);
  service = rpc(RegistryService, registry.admin);
});
afterAll(() => registry.destroy());

const UNKNOWN_DIGEST = `sha256:${"0".repeat(64)}`;

function push(name: string, tag: string, seed = tag) {
  return pushImageAs(registry.url, name, tag, registry.admin, seed);
}

/** The status of the collector once it is idle again. */
async function idleStatus(): Promise<GcStatus | undefined> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { status } = await service.getGarbageCollectionStatus({});
    if (status?.state === "idle") return status;
    await Bun.sleep(10);
  }
  throw new Error("the collection did not finish");
}

async function pullStatus(name: string, reference: string): Promise<number> {
  const response = await fetch(`${registry.url}/v2/${name}/manifests/${reference}`, {
    headers: { Authorization: registry.admin },
  });
  return response.status;
}

describe("ListRepositories", () => {
  beforeAll(async () => {
    await push("list/a", "v1");
    await push("list/a", "v2");
    await push("list/b/nested", "v1");
    await push("list/c", "v1");
  });

  test("summarises each repository: counts, size and last push", async () => {
    const { repositories } = await service.listRepositories({});
    const a = repositories.find((repository) => repository.name === "list/a");
    expect(a).toMatchObject({ tagCount: 2n, manifestCount: 2n });
    expect(a?.totalSize).toBeGreaterThan(0n);
    expect(Number(a?.lastPush?.seconds) * 1000).toBeGreaterThan(Date.now() - 60_000);
  });

  test("pages in name order with next_last, which is unset on the last page", async () => {
    const { repositories: all } = await service.listRepositories({ pageSize: 1000 });
    const names: string[] = [];
    let last = "";
    for (let page = 0; page <= all.length; page++) {
      const answer = await service.listRepositories({ pageSize: 2, last });
      names.push(...answer.repositories.map((repository) => repository.name));
      if (answer.nextLast === undefined) break;
      expect(answer.nextLast).toBe(answer.repositories.at(-1)?.name ?? "");
      last = answer.nextLast;
    }
    expect(names).toEqual(all.map((repository) => repository.name));
    expect(names).toEqual([...names].sort());
  });

  test("a page size outside 1 to 1000 is InvalidArgument", async () => {
    for (const pageSize of [-1, 1001]) {
      const call = service.listRepositories({ pageSize });
      expect(await expectRpcError(call, Code.InvalidArgument)).toContain("1000");
    }
  });
});

describe("GetRepository and GetManifest", () => {
  test("show a multi-segment repository's tags and manifests, and one manifest", async () => {
    const image = await push("detail/team/app", "v1");
    const { repository } = await service.getRepository({ name: "detail/team/app" });
    expect(repository?.name).toBe("detail/team/app");
    expect(repository?.tags).toEqual([
      expect.objectContaining({ name: "v1", digest: image.digest }),
    ]);
    const [manifest] = repository?.manifests ?? [];
    expect(manifest).toMatchObject({
      digest: image.digest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      size: BigInt(image.manifest.length),
      tags: ["v1"],
      platforms: [],
      referrers: [],
    });
    expect(manifest?.subject).toBeUndefined();
    const single = await service.getManifest({ name: "detail/team/app", digest: image.digest });
    expect(single.manifest).toEqual(manifest);
  });

  test("an index shows its children's platforms, and a subject its referrers", async () => {
    const child = await push("detail/multi", "amd64");
    const descriptor = {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: child.digest,
      size: child.manifest.length,
    };
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      artifactType: "application/example",
      manifests: [
        { ...descriptor, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
      ],
      subject: descriptor,
    });
    const put = await fetch(`${registry.url}/v2/detail/multi/manifests/list`, {
      method: "PUT",
      headers: {
        Authorization: registry.admin,
        "Content-Type": "application/vnd.oci.image.index.v1+json",
      },
      body: index,
    });
    expect(put.status).toBe(201);
    const name = "detail/multi";
    const { manifest } = await service.getManifest({ name, digest: sha256(index) });
    expect(manifest).toMatchObject({
      platforms: ["linux/arm64/v8"],
      subject: child.digest,
      artifactType: "application/example",
    });
    const parent = await service.getManifest({ name, digest: child.digest });
    expect(parent.manifest?.referrers).toEqual([sha256(index)]);
  });

  test("an unknown repository or manifest is NotFound; a bad name or digest InvalidArgument", async () => {
    await push("detail/known", "v1");
    const missing = service.getRepository({ name: "detail/none" });
    expect(await expectRpcError(missing, Code.NotFound)).toContain("detail/none");
    const badName = service.getRepository({ name: "Bad Name" });
    expect(await expectRpcError(badName, Code.InvalidArgument)).toContain("Bad Name");
    const unknown = service.getManifest({ name: "detail/known", digest: UNKNOWN_DIGEST });
    expect(await expectRpcError(unknown, Code.NotFound)).toContain(UNKNOWN_DIGEST);
    const badDigest = service.getManifest({ name: "detail/known", digest: "v1" });
    expect(await expectRpcError(badDigest, Code.InvalidArgument)).toContain("digest");
    const elsewhere = service.getManifest({ name: "detail/none", digest: UNKNOWN_DIGEST });
    await expectRpcError(elsewhere, Code.NotFound);
  });
});

describe("DeleteTag, DeleteManifest and DeleteRepository", () => {
  test("deleting a tag keeps its manifest", async () => {
    const image = await push("delete/tag", "v1");
    await service.deleteTag({ name: "delete/tag", tag: "v1" });
    expect(await pullStatus("delete/tag", "v1")).toBe(404);
    expect(await pullStatus("delete/tag", image.digest)).toBe(200);
    const { repository } = await service.getRepository({ name: "delete/tag" });
    expect(repository).toMatchObject({ tags: [], manifests: [{ digest: image.digest }] });
    const again = service.deleteTag({ name: "delete/tag", tag: "v1" });
    expect(await expectRpcError(again, Code.NotFound)).toContain("v1");
    const digest = service.deleteTag({ name: "delete/tag", tag: image.digest });
    expect(await expectRpcError(digest, Code.InvalidArgument)).toContain("not a tag");
  });

  test("deleting a manifest takes its tags with it", async () => {
    const image = await push("delete/manifest", "v1");
    await push("delete/manifest", "v2");
    await service.deleteManifest({ name: "delete/manifest", digest: image.digest });
    expect(await pullStatus("delete/manifest", "v1")).toBe(404);
    const { repository } = await service.getRepository({ name: "delete/manifest" });
    expect(repository?.tags.map((tag) => tag.name)).toEqual(["v2"]);
    const again = service.deleteManifest({ name: "delete/manifest", digest: image.digest });
    await expectRpcError(again, Code.NotFound);
    const tag = service.deleteManifest({ name: "delete/manifest", digest: "v2" });
    expect(await expectRpcError(tag, Code.InvalidArgument)).toContain("not a digest");
  });

  test("deleting a repository removes it from the API and from /v2, audited", async () => {
    await push("delete/whole", "v1");
    await service.deleteRepository({ name: "delete/whole" });
    await expectRpcError(service.getRepository({ name: "delete/whole" }), Code.NotFound);
    expect(await pullStatus("delete/whole", "v1")).toBe(404);
    const { events } = await registry.running.audit.query({ eventType: "repository_deleted" });
    expect(events[0]).toMatchObject({ repository: "delete/whole", actor: "admin" });
    const again = service.deleteRepository({ name: "delete/whole" });
    expect(await expectRpcError(again, Code.NotFound)).toContain("delete/whole");
    const bad = service.deleteRepository({ name: "" });
    await expectRpcError(bad, Code.InvalidArgument);
  });
});

describe("StartGarbageCollection and GetGarbageCollectionStatus", () => {
  test("a collection after a delete frees the blobs and reports what it did", async () => {
    await push("gc/doomed", "v1", "content only gc/doomed has");
    await service.deleteRepository({ name: "gc/doomed" });
    await idleStatus();
    const { status } = await service.startGarbageCollection({ reconcile: true });
    expect(status).toMatchObject({ state: "running", current: { reconcile: true } });
    expect(status?.current?.startedAt).toBeDefined();
    const done = await idleStatus();
    expect(done?.phase).toBeUndefined();
    expect(done?.current).toBeUndefined();
    expect(done?.last).toMatchObject({ reconcile: true, gracePeriodSeconds: 0n });
    expect(done?.last?.finishedAt).toBeDefined();
    expect(done?.last?.error).toBeUndefined();
    expect(done?.last?.blobsDeleted).toBeGreaterThanOrEqual(2n);
    expect(done?.last?.bytesFreed).toBeGreaterThan(0n);
  });

  test("a start while one runs is FailedPrecondition; the collector ends idle", async () => {
    await idleStatus();
    // Both starts race a collection that may finish between them, so either may succeed.
    const outcomes = await Promise.all([
      outcomeOf(service.startGarbageCollection({})),
      outcomeOf(service.startGarbageCollection({})),
    ]);
    expect(outcomes.map((outcome) => outcome.code)).toContain("OK");
    for (const outcome of outcomes.filter((entry) => entry.code !== "OK")) {
      expect(outcome).toEqual({
        code: "FailedPrecondition",
        message: "a collection is already running",
      });
    }
    expect((await idleStatus())?.last?.reconcile).toBe(false);
  });
});

describe("who may call", () => {
  let digest: string;
  const requests = (): ValidRequests => ({
    listRepositories: {},
    getRepository: { name: "guard/app" },
    getManifest: { name: "guard/app", digest },
    deleteRepository: { name: "guard/app" },
    deleteTag: { name: "guard/app", tag: "v1" },
    deleteManifest: { name: "guard/app", digest },
    startGarbageCollection: {},
    getGarbageCollectionStatus: {},
  });
  beforeAll(async () => {
    ({ digest } = await push("guard/app", "v1"));
  });

  async function expectNothingChanged() {
    const { repository } = await service.getRepository({ name: "guard/app" });
    expect(repository?.tags.map((tag) => tag.name)).toEqual(["v1"]);
  }

  test("without credentials, or with bad ones, every method is Unauthenticated", async () => {
    for (const authorization of [undefined, bearer("not-a-token"), basic("admin", "wrong-pw")]) {
      await expectEveryMethodRefused(
        rpc,
        RegistryService,
        requests(),
        authorization,
        Code.Unauthenticated,
      );
    }
    await expectNothingChanged();
  });

  test("an account without the admin role is PermissionDenied for every method", async () => {
    const robot = await accountWithToken(rpc, registry.admin, { username: "registry-robot" });
    await expectEveryMethodRefused(
      rpc,
      RegistryService,
      requests(),
      robot.authorization,
      Code.PermissionDenied,
    );
    await expectNothingChanged();
  });
});
