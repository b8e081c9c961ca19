import packageJson from "../package.json" with { type: "json" };

// Replaced by scripts/build.ts through `bun build --define`; absent when run from source.
declare const MCR_BUILD_COMMIT: string | undefined;

/** The release version, from package.json. */
export const VERSION: string = packageJson.version;

/** The git commit the binary was built from, or "unknown" (run from source, or no git). */
export const COMMIT: string =
  typeof MCR_BUILD_COMMIT === "string" && MCR_BUILD_COMMIT !== "" ? MCR_BUILD_COMMIT : "unknown";

/** What `mcr --version` prints, e.g. `0.1.0 (commit 418a4ef)`. */
export const VERSION_TEXT = `${VERSION} (commit ${COMMIT})`;
