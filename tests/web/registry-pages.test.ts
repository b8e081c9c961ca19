import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WebHandler } from "../../src/web/app.ts";
import { type AuthRegistry, startAuthRegistry } from "../helpers/auth.ts";
import {
  type MultiArchImage,
  pushMultiArchImage,
  SIGNATURE_TYPE,
} from "../helpers/multi-arch-image.ts";
import { WebUser, webAppFor } from "../helpers/web-client.ts";

let registry: AuthRegistry;
let app: WebHandler;
let image: MultiArchImage;
const admin = () => {
  const user = new WebUser(app);
  return user.login("admin", registry.adminPassword).then(() => user);
};
const query = (fields: Record<string, string>) => `?${new URLSearchParams(fields)}`;

beforeAll(async () => {
  registry = await startAuthRegistry();
  app = webAppFor(registry);
  image = await pushMultiArchImage(registry.url, "team/app", "1.0", registry.admin);
  await pushMultiArchImage(registry.url, "tools/lint", "latest", registry.admin);
});
afterAll(() => registry.destroy());

test("the dashboard counts repositories, adds up sizes and shows recent activity", async () => {
  const page = await (await admin()).page("/");
  expect(page).toMatch(/Repositories<\/span><strong>2</);
  expect(page).toMatch(/Total size<\/span><strong>[\d.]+ (B|KiB)</);
  expect(page).toContain("team/app");
  expect(page).toContain("manifest_pushed");
  expect(page).toContain("token_issued");
});

test("the repository list filters by a part of the name", async () => {
  const user = await admin();
  const all = await user.page("/repositories");
  expect(all).toContain("team/app");
  expect(all).toContain("tools/lint");
  const filtered = await user.page("/repositories?q=team");
  expect(filtered).toContain("team/app");
  expect(filtered).not.toContain("tools/lint");
  expect(filtered).toContain('hx-get="/repositories"');
});

test("a repository shows its tags, the index's platforms and the signature referrer", async () => {
  const page = await (await admin()).page(`/repository${query({ name: "team/app" })}`);
  expect(page).toContain("<strong>1.0</strong>");
  expect(page).toContain("index (2 platforms)");
  expect(page).toContain("linux/amd64, linux/arm64/v8");
  expect(page).toContain(`artifact ${SIGNATURE_TYPE}`);
  expect(page).toContain(
    `/manifest?name=team%2Fapp&amp;digest=${encodeURIComponent(image.index.digest)}`,
  );
});

test("an index's page lists its children with platforms, and its referrers", async () => {
  const digest = image.index.digest;
  const page = await (await admin()).page(`/manifest${query({ name: "team/app", digest })}`);
  expect(page).toContain("<h2>Platforms</h2>");
  expect(page).toContain("linux/arm64/v8");
  expect(page).toContain(image.children[0]?.digest.slice(7, 19) ?? "missing");
  expect(page).toContain(image.signature.digest);
  expect(page).toContain(`docker pull registry.test:5000/team/app@${digest}`);
  expect(page).toContain("org.opencontainers.image.source");
});

test("an image's page lists its config, layers and annotations", async () => {
  const child = image.children[1];
  if (!child) throw new Error("no child");
  const page = await (await admin()).page(
    `/manifest${query({ name: "team/app", digest: child.digest })}`,
  );
  const document = JSON.parse(child.content);
  expect(page).toContain("<h2>Config</h2>");
  expect(page).toContain(document.config.digest);
  expect(page).toContain("<h2>Layers</h2>");
  expect(page).toContain(document.layers[0].digest);
  expect(page).toContain("org.opencontainers.image.title");
  expect(page).toContain("team/app:1.0 for arm64");
});

test("an unknown repository is a readable 404, not a stack trace", async () => {
  const response = await (await admin()).get(`/repository${query({ name: "no/such" })}`);
  expect(response.status).toBe(404);
  const text = await response.text();
  expect(text).toContain("repository no/such is not known");
  expect(text).not.toContain("at ");
});

test("deleting a tag asks first, and refuses a form without the CSRF token", async () => {
  const user = await admin();
  const confirm = await user.page(`/tag/delete${query({ name: "tools/lint", tag: "latest" })}`);
  expect(confirm).toContain("Delete the tag tools/lint:latest?");

  const forged = await user.post("/tag/delete", {
    name: "tools/lint",
    tag: "latest",
    _csrf: "forged",
  });
  expect(forged.status).toBe(403);
  expect(await user.page(`/repository${query({ name: "tools/lint" })}`)).toContain(
    "<strong>latest</strong>",
  );

  const crossSite = await user.post(
    "/tag/delete",
    { name: "tools/lint", tag: "latest" },
    { origin: "https://evil.test" },
  );
  expect(crossSite.status).toBe(403);

  const deleted = await user.post("/tag/delete", { name: "tools/lint", tag: "latest" });
  expect(deleted.status).toBe(303);
  expect(await user.page(`/repository${query({ name: "tools/lint" })}`)).toContain("No tags.");
});

test("deleting a manifest and a repository go through their confirmation forms", async () => {
  const user = await admin();
  const signature = image.signature.digest;
  await user.page(`/manifest/delete${query({ name: "team/app", digest: signature })}`);
  const manifest = await user.post("/manifest/delete", { name: "team/app", digest: signature });
  expect(manifest.status).toBe(303);
  expect(await user.page(`/repository${query({ name: "team/app" })}`)).not.toContain(
    SIGNATURE_TYPE,
  );

  await user.page(`/repository/delete${query({ name: "tools/lint" })}`);
  const repository = await user.post("/repository/delete", { name: "tools/lint" });
  expect(repository.headers.get("location")).toBe("/repositories");
  expect(await user.page("/repositories")).not.toContain("tools/lint");
});

test("fields of another manifest kind, stored by an older registry, are ignored by the page", async () => {
  // MCR refuses an image with `manifests` or an index with `layers` (CVE-2021-41190), but a
  // database restored from an older version may hold them.
  const child = image.children[0];
  if (!child) throw new Error("no child");
  storeContent(child.digest, {
    ...JSON.parse(child.content),
    manifests: [null, "x"],
    annotations: { a: "b" },
  });
  storeContent(image.index.digest, {
    ...JSON.parse(image.index.content),
    layers: [null],
    config: "x",
  });

  const user = await admin();
  const imagePage = await user.page(
    `/manifest${query({ name: "team/app", digest: child.digest })}`,
  );
  expect(imagePage).toContain("<h2>Layers</h2>");
  expect(imagePage).not.toContain("<h2>Platforms</h2>");
  const indexPage = await user.page(
    `/manifest${query({ name: "team/app", digest: image.index.digest })}`,
  );
  expect(indexPage).toContain("linux/arm64/v8");
  expect(indexPage).not.toContain("<h2>Layers</h2>");
});

/** Replaces a stored manifest's bytes behind the registry's back, as old data would be. */
function storeContent(digest: string, document: unknown): void {
  const database = new Database(join(registry.dataDir, "mcr.db"));
  try {
    database
      .query("UPDATE manifests SET content = ? WHERE digest = ?")
      .run(new TextEncoder().encode(JSON.stringify(document)), digest);
  } finally {
    database.close();
  }
}

test("a stored manifest with malformed descriptors still gets its page", async () => {
  // What an older registry may have stored: an index whose children are not all descriptors.
  const content = JSON.stringify({
    schemaVersion: 2,
    mediaType: image.index.mediaType,
    manifests: [
      null,
      "sha256:x",
      { digest: 5, size: "big", mediaType: [], platform: "linux/amd64" },
      { digest: image.children[0]?.digest, platform: { os: "linux", architecture: 7 } },
    ],
    annotations: { good: "yes", bad: { nested: true } },
  });
  storeContent(image.index.digest, JSON.parse(content));

  const response = await (await admin()).get(
    `/manifest${query({ name: "team/app", digest: image.index.digest })}`,
  );
  const page = await response.text();
  expect(response.status).toBe(200);
  expect(page).toContain("<h2>Platforms</h2>");
  expect(page).toContain(image.children[0]?.digest.slice(7, 19) ?? "missing");
  expect(page).toContain("<code>good</code>");
  expect(page).not.toContain("<code>bad</code>");
});
