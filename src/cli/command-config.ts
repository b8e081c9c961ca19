import type { Config } from "../config/config.ts";
import { ConfigError, loadConfig } from "../config/load.ts";

/**
 * What every command that touches the data folder does first: make its files private (they
 * hold password and token hashes, the audit trail and every image) and load the
 * configuration, exiting with code 2 and every problem listed when it is unusable.
 */
export function prepareCommand(
  command: string,
  options: { file?: string; flags: Record<string, string | undefined>; checkFiles?: boolean },
): Config {
  process.umask(0o077);
  try {
    return loadConfig({ ...options, env: process.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`mcr ${command}: ${error.message}\n`);
    process.exit(2);
  }
}
