import type {
  ManifestDetail,
  ManifestWithContent,
  RepositoryDetail,
} from "../../admin/repository-service.ts";
import type { AdminApi } from "../../api/admin-api.ts";
import { ApiError } from "../../api/api-error.ts";
import type { RepositorySummary } from "../../db/repository-summaries.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { HttpError } from "../api-error.ts";
import { decodePathSegment, OWN_BODY, type RestApp, type RestRequest, route } from "../context.ts";

/**
 * Repositories for admins: GET /v1/repositories (paged with n and last), and below
 * /v1/repositories/<name...>: GET the detail, GET manifests/<digest>, DELETE the whole
 * repository, DELETE tags/<tag> or manifests/<digest>. Names contain slashes, so the rest
 * of the path is parsed here, from its end.
 */
export function repositoryRoutes(app: RestApp, api: AdminApi) {
  app.get(
    "/repositories",
    route(api, async (ctx) => {
      const page = await api.repositories.list(await ctx.caller(), {
        pageSize: pageSize(ctx.query.get("n")),
        last: ctx.query.get("last"),
      });
      return jsonResponse({
        repositories: page.repositories.map(summaryJson),
        next_last: page.nextLast,
      });
    }),
  );
  app.get(
    "/repositories/*",
    route(api, async (ctx) => {
      const caller = await ctx.caller();
      const target = parseTarget(ctx);
      if (target.kind === "manifest") {
        return jsonResponse(
          manifestWithContentJson(
            await api.repositories.manifest(caller, target.name, target.digest),
          ),
        );
      }
      if (target.kind === "tag") throw new HttpError(405, "tags are read through the repository");
      return jsonResponse(detailJson(await api.repositories.get(caller, target.name)));
    }),
  );
  app.delete(
    "/repositories/*",
    route(api, async (ctx) => {
      const caller = await ctx.caller();
      const target = parseTarget(ctx);
      if (target.kind === "tag") {
        await api.repositories.deleteTag(caller, target.name, target.tag);
      } else if (target.kind === "manifest") {
        await api.repositories.deleteManifest(caller, target.name, target.digest);
      } else {
        await api.repositories.delete(caller, target.name);
      }
      return new Response(null, { status: 204 });
    }),
    OWN_BODY,
  );
}

function pageSize(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (!/^\d{1,4}$/.test(text) || text === "0") {
    throw new ApiError("invalid-argument", "n must be a whole number from 1 to 1000");
  }
  return Number(text);
}

type Target =
  | { kind: "repository"; name: string }
  | { kind: "manifest"; name: string; digest: string }
  | { kind: "tag"; name: string; tag: string };

function parseTarget(ctx: RestRequest): Target {
  const rest = new URL(ctx.request.url).pathname.replace(/^\/v1\/repositories\//, "");
  const manifest = /^(.+)\/manifests\/([^/]+)$/.exec(rest);
  if (manifest) {
    return {
      kind: "manifest",
      name: manifest[1] ?? "",
      digest: decodePathSegment(manifest[2] ?? ""),
    };
  }
  const tag = /^(.+)\/tags\/([^/]+)$/.exec(rest);
  if (tag) return { kind: "tag", name: tag[1] ?? "", tag: tag[2] ?? "" };
  // Taken as it is: a trailing slash is no repository name. A client whose `tags/..` was
  // folded into `<name>/` must get an error, not the whole repository deleted.
  return { kind: "repository", name: rest };
}

function summaryJson(summary: RepositorySummary) {
  return {
    name: summary.name,
    tag_count: summary.tagCount,
    manifest_count: summary.manifestCount,
    total_size: summary.totalSize,
    last_push: summary.lastPush === null ? null : new Date(summary.lastPush).toISOString(),
  };
}

/** One manifest, with its JSON as pushed (as a string, byte for byte). */
function manifestWithContentJson(manifest: ManifestWithContent) {
  return { ...manifestJson(manifest), content: manifest.content };
}

function manifestJson(manifest: ManifestDetail) {
  return {
    digest: manifest.digest,
    media_type: manifest.mediaType,
    size: manifest.size,
    artifact_type: manifest.artifactType,
    subject: manifest.subject,
    created_at: new Date(manifest.createdAt).toISOString(),
    tags: manifest.tags,
    platforms: manifest.platforms,
    referrers: manifest.referrers,
  };
}

function detailJson(detail: RepositoryDetail) {
  return {
    name: detail.name,
    tags: detail.tags.map((tag) => ({
      name: tag.name,
      digest: tag.digest,
      updated_at: new Date(tag.updatedAt).toISOString(),
    })),
    manifests: detail.manifests.map(manifestJson),
  };
}
