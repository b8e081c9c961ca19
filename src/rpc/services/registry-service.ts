import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { ManifestDetail } from "../../admin/repository-service.ts";
import type { AdminApi } from "../../api/admin-api.ts";
import type { GcReport, GcStatus } from "../../gc/garbage-collector.ts";
import type {
  GcReportSchema,
  GcStatusSchema,
  ManifestSchema,
  RegistryService,
} from "../../gen/mcr/v1/registry_pb.ts";
import { callerOf } from "../call-context.ts";
import { int64, optional, timestamp, timestampOfIso } from "../wire.ts";

/** mcr.v1.RegistryService over the admin API. */
export function registryService(api: AdminApi): ServiceImpl<typeof RegistryService> {
  return {
    async listRepositories(request, context) {
      const page = await api.repositories.list(callerOf(context), {
        pageSize: request.pageSize,
        last: request.last,
      });
      return {
        repositories: page.repositories.map((summary) => ({
          name: summary.name,
          tagCount: int64(summary.tagCount),
          manifestCount: int64(summary.manifestCount),
          totalSize: int64(summary.totalSize),
          lastPush: timestamp(summary.lastPush),
        })),
        nextLast: optional(page.nextLast),
      };
    },
    async getRepository(request, context) {
      const detail = await api.repositories.get(callerOf(context), request.name);
      return {
        repository: {
          name: detail.name,
          tags: detail.tags.map((tag) => ({
            name: tag.name,
            digest: tag.digest,
            updatedAt: timestamp(tag.updatedAt),
          })),
          manifests: detail.manifests.map(manifestMessage),
        },
      };
    },
    async getManifest(request, context) {
      const manifest = await api.repositories.manifest(
        callerOf(context),
        request.name,
        request.digest,
      );
      return { manifest: manifestMessage(manifest), content: manifest.content };
    },
    async deleteRepository(request, context) {
      await api.repositories.delete(callerOf(context), request.name);
      return {};
    },
    async deleteTag(request, context) {
      await api.repositories.deleteTag(callerOf(context), request.name, request.tag);
      return {};
    },
    async deleteManifest(request, context) {
      await api.repositories.deleteManifest(callerOf(context), request.name, request.digest);
      return {};
    },
    startGarbageCollection: (request, context) => ({
      status: statusMessage(
        api.gc.start(callerOf(context), {
          reconcile: request.reconcile,
          gracePeriod: request.gracePeriod,
        }),
      ),
    }),
    getGarbageCollectionStatus: (_request, context) => ({
      status: statusMessage(api.gc.status(callerOf(context))),
    }),
  };
}

function manifestMessage(manifest: ManifestDetail): MessageInitShape<typeof ManifestSchema> {
  return {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    size: int64(manifest.size),
    artifactType: optional(manifest.artifactType),
    subject: optional(manifest.subject),
    createdAt: timestamp(manifest.createdAt),
    tags: manifest.tags,
    platforms: manifest.platforms,
    referrers: manifest.referrers,
  };
}

function statusMessage(status: GcStatus): MessageInitShape<typeof GcStatusSchema> {
  return {
    state: status.state,
    phase: optional(status.phase),
    current: status.current ? reportMessage(status.current) : undefined,
    last: status.last ? reportMessage(status.last) : undefined,
  };
}

function reportMessage(report: GcReport): MessageInitShape<typeof GcReportSchema> {
  return {
    startedAt: timestampOfIso(report.startedAt),
    finishedAt: timestampOfIso(report.finishedAt),
    reconcile: report.reconcile,
    gracePeriodSeconds: int64(report.gracePeriodSeconds),
    manifestsDeleted: int64(report.manifestsDeleted),
    linksDeleted: int64(report.linksDeleted),
    repositoriesDeleted: int64(report.repositoriesDeleted),
    blobsDeleted: int64(report.blobsDeleted),
    bytesFreed: int64(report.bytesFreed),
    orphanFilesDeleted: int64(report.orphanFilesDeleted),
    rowsWithoutFile: int64(report.rowsWithoutFile),
    error: optional(report.error),
  };
}
