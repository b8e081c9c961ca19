/**
 * The registry a load test runs against: the compiled binary with local accounts, set up as
 * an operator would (`mcr init` with MCR_ADMIN_PASSWORD, then `mcr serve`), plus one
 * ordinary account so that both the admin rule and the people rule of the policy are used.
 */
import { join } from "node:path";
import { basic } from "../../helpers/auth.ts";
import { makeTempFolder, removeFolder } from "../../helpers/test-registry.ts";
import { type McrProcess, runMcr, startMcr } from "../mcr-process.ts";

/** A running server and the credentials the load clients use. */
export interface LoadRegistry {
  mcr: McrProcess;
  pid: number;
  url: string;
  port: number;
  /** The admin RPC listener's base URL (Connect JSON over HTTP/1.1). */
  rpcUrl: string;
  dataDir: string;
  admin: { username: string; password: string; authorization: string };
  user: { username: string; password: string; authorization: string };
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

const ADMIN_PASSWORD = "load-test admin password";
const USER_PASSWORD = "load-test user password";

/**
 * Initialises a data folder and serves it on a free loopback port. `env` adds MCR_*
 * settings (a short idle timeout, a short upload lifetime...).
 */
export async function startLoadRegistry(env: Record<string, string>): Promise<LoadRegistry> {
  const cwd = makeTempFolder("mcr-load-");
  const dataDir = join(cwd, "data");
  const init = await runMcr(["init", "--data-dir", dataDir], {
    cwd,
    env: { MCR_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  if (init.code !== 0) throw new Error(`mcr init failed:\n${init.output}`);

  const mcr = await startMcr(["--listen", "127.0.0.1:0", "--data-dir", dataDir], { cwd, env });
  const rpcAddress = /admin RPC listening.*?\baddress"?[=:]"?([^\s"]+)/.exec(mcr.log())?.[1];
  if (!rpcAddress) {
    await mcr.stop("SIGKILL");
    throw new Error(`mcr serve did not log its admin RPC address:\n${mcr.log()}`);
  }
  const admin = {
    username: "admin",
    password: ADMIN_PASSWORD,
    authorization: basic("admin", ADMIN_PASSWORD),
  };
  const user = {
    username: "loaduser",
    password: USER_PASSWORD,
    authorization: basic("loaduser", USER_PASSWORD),
  };
  const created = await fetch(`${mcr.url}/v1/accounts`, {
    method: "POST",
    headers: { Authorization: admin.authorization, "Content-Type": "application/json" },
    body: JSON.stringify({
      username: user.username,
      account_type: "human",
      password: user.password,
    }),
  });
  if (created.status !== 201) {
    await mcr.stop("SIGKILL");
    throw new Error(`creating ${user.username}: ${created.status} ${await created.text()}`);
  }

  return {
    mcr,
    pid: mcr.process.pid,
    url: mcr.url,
    port: Number(new URL(mcr.url).port),
    rpcUrl: `http://${rpcAddress}`,
    dataDir,
    admin,
    user,
    destroy: async () => {
      await mcr.stop("SIGKILL");
      removeFolder(cwd);
    },
  };
}
