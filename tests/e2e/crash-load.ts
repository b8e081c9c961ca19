import { sha256 } from "../helpers/oci-client.ts";
import type { SeededRandom } from "../helpers/seeded-random.ts";

/**
 * The pushing side of the crash test: clients that push images in every way a client may
 * (monolithic POST, POST then PUT, chunked PATCHes), while the server can die at any moment.
 * Only what the server acknowledged with 201 is recorded: that is what must survive.
 */

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
/** No request may hang the test: a killed server answers nothing, and then errors. */
const REQUEST_TIMEOUT_MS = 10_000;

/** A manifest the server answered 201 for. */
export interface AcknowledgedManifest {
  repository: string;
  tag: string;
  digest: string;
  bytes: Uint8Array;
  /** Digests of the blobs it names (none for an index). */
  blobs: string[];
}

/** What all clients had acknowledged when the server died. */
export interface Acknowledged {
  manifests: AcknowledgedManifest[];
  /** repository → blob digests that got 201 (whether or not a manifest names them). */
  blobs: Map<string, Set<string>>;
}

/** A flag the clients poll: once set they start nothing new. */
export interface LoadControl {
  stopped: boolean;
}

/**
 * Pushes images to `url` until `control.stopped`, recording what the server acknowledged.
 * Tags start with `tagPrefix`, which must be new to the repository: a tag is never moved.
 */
export async function pushUntilStopped(
  url: string,
  repository: string,
  tagPrefix: string,
  random: SeededRandom,
  sharedLayers: readonly Uint8Array[],
  acknowledged: Acknowledged,
  control: LoadControl,
): Promise<void> {
  let count = 0;
  const recent: AcknowledgedManifest[] = [];
  while (!control.stopped) {
    try {
      const pushed = await pushImage(
        url,
        repository,
        `${tagPrefix}-${count++}`,
        random,
        sharedLayers,
        acknowledged,
      );
      if (!pushed) continue;
      recent.push(pushed);
      if (recent.length >= 2 && random.chance(0.3)) {
        await pushIndex(url, repository, `${tagPrefix}-${count++}`, recent.splice(0), acknowledged);
      }
    } catch {
      // A refused or cut request: the server died, or garbage collection took a blob the
      // next manifest needed. Nothing unacknowledged has to survive.
    }
  }
}

async function pushImage(
  url: string,
  repository: string,
  tag: string,
  random: SeededRandom,
  sharedLayers: readonly Uint8Array[],
  acknowledged: Acknowledged,
): Promise<AcknowledgedManifest | null> {
  const config = new TextEncoder().encode(
    JSON.stringify({ os: "linux", tag, nonce: random.next() }),
  );
  const layers = Array.from({ length: random.int(1, 3) }, () =>
    random.chance(0.3) ? random.pick(sharedLayers) : random.bytes(random.int(0, 256 * 1024)),
  );
  for (const blob of [config, ...layers]) {
    if (!(await pushBlob(url, repository, blob, random))) return null;
    const known = acknowledged.blobs.get(repository) ?? new Set<string>();
    acknowledged.blobs.set(repository, known.add(sha256(blob)));
  }
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha256(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        digest: sha256(layer),
        size: layer.length,
      })),
    }),
  );
  return putManifest(
    url,
    repository,
    tag,
    manifest,
    MANIFEST_TYPE,
    [config, ...layers].map(sha256),
    acknowledged,
  );
}

async function pushIndex(
  url: string,
  repository: string,
  tag: string,
  children: AcknowledgedManifest[],
  acknowledged: Acknowledged,
) {
  const index = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX_TYPE,
      manifests: children.map((child, i) => ({
        mediaType: MANIFEST_TYPE,
        digest: child.digest,
        size: child.bytes.length,
        platform: { os: "linux", architecture: i === 0 ? "amd64" : "arm64" },
      })),
    }),
  );
  await putManifest(url, repository, tag, index, INDEX_TYPE, [], acknowledged);
}

async function putManifest(
  url: string,
  repository: string,
  tag: string,
  bytes: Uint8Array,
  mediaType: string,
  blobs: string[],
  acknowledged: Acknowledged,
): Promise<AcknowledgedManifest | null> {
  const response = await request(`${url}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    headers: { "Content-Type": mediaType },
    body: bytes,
  });
  if (response.status !== 201) return null;
  const pushed = { repository, tag, digest: sha256(bytes), bytes, blobs };
  acknowledged.manifests.push(pushed);
  return pushed;
}

/** Pushes one blob in a randomly chosen way; true when the server answered 201. */
async function pushBlob(url: string, repository: string, blob: Uint8Array, random: SeededRandom) {
  const digest = sha256(blob);
  const uploads = `${url}/v2/${repository}/blobs/uploads/`;
  const way = random.int(0, 2);
  if (way === 0) {
    const response = await request(`${uploads}?digest=${digest}`, { method: "POST", body: blob });
    return response.status === 201;
  }

  const start = await request(uploads, { method: "POST" });
  if (start.status !== 202) return false;
  let location = new URL(start.headers.get("location") ?? "", url);
  if (way === 2) {
    // Chunked: PATCHes with Content-Range, then a PUT with no body.
    let offset = 0;
    while (offset < blob.length) {
      const end = Math.min(blob.length, offset + random.int(1, 96 * 1024));
      const patch = await request(location, {
        method: "PATCH",
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Range": `${offset}-${end - 1}`,
        },
        body: blob.subarray(offset, end),
      });
      if (patch.status !== 202) return false;
      location = new URL(patch.headers.get("location") ?? "", url);
      offset = end;
    }
    location.searchParams.set("digest", digest);
    return (await request(location, { method: "PUT" })).status === 201;
  }
  location.searchParams.set("digest", digest);
  return (await request(location, { method: "PUT", body: blob })).status === 201;
}

/**
 * Pulls acknowledged blobs while the others push and collect, until stopped: any blob served
 * whole with bytes that do not hash to its digest is added to `wrong`.
 */
export async function pullUntilStopped(
  url: string,
  random: SeededRandom,
  acknowledged: Acknowledged,
  control: LoadControl,
  wrong: string[],
) {
  while (!control.stopped) {
    const manifest = acknowledged.manifests.length > 0 ? random.pick(acknowledged.manifests) : null;
    const digest = manifest && manifest.blobs.length > 0 ? random.pick(manifest.blobs) : null;
    if (!manifest || !digest) {
      await Bun.sleep(10);
      continue;
    }
    try {
      const response = await fetch(`${url}/v2/${manifest.repository}/blobs/${digest}`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const announced = Number(response.headers.get("content-length"));
      if (response.status === 200 && bytes.length === announced && sha256(bytes) !== digest) {
        wrong.push(`${manifest.repository}@${digest} served bytes hashing to ${sha256(bytes)}`);
      }
    } catch {
      // The server died mid-answer.
    }
  }
}

/** Keeps asking for a collection (and sometimes a reconcile pass) until stopped. */
export async function collectUntilStopped(url: string, random: SeededRandom, control: LoadControl) {
  while (!control.stopped) {
    await request(`${url}/v1/gc`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reconcile: random.chance(0.5) }),
    }).catch(() => {});
    await Bun.sleep(random.int(20, 120));
  }
}

/** Takes snapshots until stopped. */
export async function snapshotUntilStopped(
  url: string,
  random: SeededRandom,
  control: LoadControl,
) {
  while (!control.stopped) {
    await request(`${url}/v1/snapshot`, { method: "POST" }).catch(() => {});
    await Bun.sleep(random.int(20, 200));
  }
}

async function request(target: string | URL, init: RequestInit): Promise<Response> {
  const response = await fetch(target, {
    ...init,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  // Read the body whole: the status alone does not mean the answer arrived.
  await response.arrayBuffer();
  return response;
}
