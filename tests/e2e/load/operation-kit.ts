/**
 * What the load test's operations share. An operation is what a registry client does in
 * one step, and it checks every answer (the status, and content against its digest); a
 * failed check throws, and the worker counts it and carries on.
 */
import { type LoadClient, UnexpectedAnswer } from "./load-client.ts";
import type { LoadWorld } from "./load-world.ts";

/** The repository only one worker writes to, so that its deletes race nobody. */
export interface OwnRepository {
  name: string;
  cycles: number;
}

export type Operation = (client: LoadClient, world: LoadWorld, own: OwnRepository) => Promise<void>;

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
}

export function check(condition: boolean, what: string): void {
  if (!condition) throw new UnexpectedAnswer(what);
}

export async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** The path and query of an upload's Location header, which may be absolute. */
export function locationPath(response: Response, base: string): URL {
  const location = response.headers.get("location");
  check(location !== null, `${response.url}: no Location header`);
  return new URL(location as string, base);
}
