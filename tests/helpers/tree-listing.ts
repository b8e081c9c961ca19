import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Every entry under `root` as "path mode owner content-hash", sorted: two listings are
 * equal only when nothing was created, removed, rewritten, re-owned or chmod-ed.
 */
export function listTree(root: string): string[] {
  const lines: string[] = [];
  const visit = (path: string) => {
    const info = lstatSync(path);
    const mode = (info.mode & 0o7777).toString(8);
    let content = "-";
    if (info.isFile()) content = createHash("sha256").update(readFileSync(path)).digest("hex");
    if (info.isSymbolicLink()) content = `-> ${readlinkSync(path)}`;
    lines.push(`${relative(root, path) || "."} ${mode} ${info.uid}:${info.gid} ${content}`);
    if (info.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return lines.sort();
}
