import type { LoadRegistry } from "./load-registry.ts";
import { type DescriptorCensus, describeDescriptors } from "./process-probe.ts";

/**
 * Empties this process's keep-alive pool of connections to a server. fetch offers no way to
 * close pooled connections; a burst of requests that each ask the server to close their
 * connection uses up every pooled one (and closes the extra ones it opens).
 */
export async function closePooledConnections(url: string, pooledAtMost = 256): Promise<void> {
  await Promise.all(
    Array.from({ length: pooledAtMost }, async () => {
      const response = await fetch(url, { headers: { Connection: "close" } });
      await response.arrayBuffer();
    }),
  );
}

/** The server's descriptors once this process has closed its connections to it. */
export async function settledDescriptors(target: LoadRegistry): Promise<DescriptorCensus> {
  await closePooledConnections(`${target.url}/v2/`);
  await closePooledConnections(`${target.rpcUrl}/mcr.v1.AdminService/Health`);
  // The server sees each close a moment after the client makes it.
  await Bun.sleep(500);
  return describeDescriptors(target.pid);
}
