import { BlobService } from "./blobs.ts";
import type { RegistryContext } from "./context.ts";
import { DiscoveryService } from "./discovery.ts";
import { ManifestService } from "./manifests.ts";
import { UploadService } from "./uploads.ts";

/** The registry's services, as the protocol adapters see them. */
export interface Registry {
  blobs: BlobService;
  uploads: UploadService;
  manifests: ManifestService;
  discovery: DiscoveryService;
}

/** Builds the registry's services over one database and blob store. */
export function createRegistry(context: RegistryContext): Registry {
  return {
    blobs: new BlobService(context),
    uploads: new UploadService(context),
    manifests: new ManifestService(context),
    discovery: new DiscoveryService(context),
  };
}
