/**
 * `bun run build`: compiles src/main.ts into one executable with the git commit baked in.
 *
 * Extra arguments go to `bun build`, so another platform is one flag away:
 *   bun run build --target=bun-linux-arm64 --outfile=dist/mcr-linux-arm64
 * The commit comes from $MCR_COMMIT when set (a container build has no .git), else from
 * `git rev-parse --short HEAD`, else it is "unknown".
 */
const extra = process.argv.slice(2);
const commit = process.env.MCR_COMMIT || gitCommit() || "unknown";
const outfile = extra.some((arg) => arg.startsWith("--outfile")) ? [] : ["--outfile=dist/mcr"];

const build = Bun.spawnSync(
  [
    process.execPath,
    "build",
    "src/main.ts",
    // A worker is an entry point of its own; src/storage/hash-thread.ts finds it by its path
    // below --root.
    "src/storage/hash-worker.ts",
    "--root=src",
    "--compile",
    "--minify",
    "--bytecode",
    // Bytecode defaults to CommonJS, which rejects the CLI's top-level await.
    "--format=esm",
    `--define=MCR_BUILD_COMMIT=${JSON.stringify(commit)}`,
    ...outfile,
    ...extra,
  ],
  { cwd: `${import.meta.dir}/..`, stdout: "inherit", stderr: "inherit" },
);
process.exit(build.exitCode ?? 1);

function gitCommit(): string | null {
  try {
    const git = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], {
      cwd: import.meta.dir,
      stderr: "ignore",
    });
    return git.exitCode === 0 ? git.stdout.toString().trim() : null;
  } catch {
    // No git on this machine: the commit is unknown, which the version line says.
    return null;
  }
}
