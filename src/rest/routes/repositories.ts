import type { ManifestDetail, RepositoryDetail } from "../../admin/repository-service.ts";
import type { RepositorySummary } from "../../db/repository-summaries.ts";
import { isTag } from "../../registry/names.ts";
import { jsonResponse } from "../../server/json-response.ts";
import { ApiError } from "../api-error.ts";
import { requireAdmin } from "../caller.ts";
import { type RestApp, type RestDependencies, type RestRequest, route } from "../context.ts";

/**
 * Repositories for admins: GET /v1/repositories (paged with n and last), and below
 * /v1/repositories/<name...>: GET the detail, GET manifests/<digest>, DELETE the whole
 * repository, DELETE tags/<tag>. Names contain slashes, so the rest of the path is parsed
 * here, from its end.
 */
export function repositoryRoutes(app: RestApp, deps: RestDependencies) {
  const admin = (handle: (ctx: RestRequest) => Promise<Response>) =>
    route(deps, async (ctx) => {
      requireAdmin(await ctx.caller());
      return handle(ctx);
    });

  app.get(
    "/repositories",
    admin(async (ctx) => {
      const limitText = ctx.query.get("n") ?? "100";
      if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
        throw new ApiError(400, "n must be a whole number from 1 to 1000");
      }
      const limit = Number(limitText);
      const page = await deps.repositories.list({ last: ctx.query.get("last"), limit: limit + 1 });
      const items = page.slice(0, limit);
      return jsonResponse({
        repositories: items.map(summaryJson),
        next_last: page.length > limit ? (items.at(-1)?.name ?? null) : null,
      });
    }),
  );
  app.get(
    "/repositories/*",
    admin(async (ctx) => {
      const target = parseTarget(ctx);
      if (target.kind === "manifest") {
        return jsonResponse(
          manifestJson(await deps.repositories.manifest(target.name, target.digest)),
        );
      }
      if (target.kind === "tag") throw new ApiError(405, "tags are read through the repository");
      return jsonResponse(detailJson(await deps.repositories.detail(target.name)));
    }),
  );
  app.delete(
    "/repositories/*",
    admin(async (ctx) => {
      const target = parseTarget(ctx);
      const actor = { name: (await ctx.caller()).username, clientAddress: ctx.clientAddress };
      if (target.kind === "tag") {
        if (!isTag(target.tag)) throw new ApiError(400, `${target.tag} is not a tag`);
        await deps.manifests.delete(target.name, target.tag, actor);
      } else if (target.kind === "manifest") {
        await deps.manifests.delete(target.name, target.digest, actor);
      } else {
        await deps.repositories.delete(target.name, actor);
      }
      return new Response(null, { status: 204 });
    }),
    { parse: "none" },
  );
}

type Target =
  | { kind: "repository"; name: string }
  | { kind: "manifest"; name: string; digest: string }
  | { kind: "tag"; name: string; tag: string };

function parseTarget(ctx: RestRequest): Target {
  const rest = new URL(ctx.request.url).pathname.replace(/^\/v1\/repositories\//, "");
  const manifest = /^(.+)\/manifests\/([^/]+)$/.exec(rest);
  if (manifest)
    return {
      kind: "manifest",
      name: manifest[1] ?? "",
      digest: decodeURIComponent(manifest[2] ?? ""),
    };
  const tag = /^(.+)\/tags\/([^/]+)$/.exec(rest);
  if (tag) return { kind: "tag", name: tag[1] ?? "", tag: tag[2] ?? "" };
  return { kind: "repository", name: rest.replace(/\/+$/, "") };
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
