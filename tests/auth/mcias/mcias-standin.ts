import type { Server } from "bun";
import {
  MciasIdentityProvider,
  type MciasProviderOptions,
} from "../../../src/auth/mcias/mcias-provider.ts";
import { createLogger } from "../../../src/log/logger.ts";

/**
 * A stand-in for MCIAS on 127.0.0.1: in-memory accounts and tokens behind the service's HTTP
 * contract. It spells the contract out itself rather than importing `contract.ts`, so a wrong
 * path or field name there makes the tests fail.
 */

/** An account the stand-in knows. */
export interface StandinAccount {
  id: string;
  username: string;
  password: string;
  accountType: "human" | "system";
  roles: string[];
  disabled?: boolean;
}

/**
 * How the stand-in answers every call: by the contract, 500, a body that is not JSON, JSON
 * that is not the contract's, or never.
 */
export type StandinMode = "normal" | "error500" | "not-json" | "wrong-shape" | "hang";

/** Options of {@link startStandin}. */
export interface StandinOptions {
  accounts?: StandinAccount[];
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Answer an unknown or revoked token with 401 instead of 200 `{"valid": false}`. */
  rejectTokensWith401?: boolean;
}

/** A running stand-in. */
export interface Standin {
  url: string;
  mode: StandinMode;
  /** Calls received, by path. */
  calls: Record<string, number>;
  /** The JSON bodies of login calls, as received. */
  loginBodies: unknown[];
  /** Issues a token for `username` as a login would, without a call. */
  issueToken(username: string): string;
  revoke(token: string): void;
  /** Stops listening at once; later calls find nothing there. */
  stop(): void;
}

export const ALICE: StandinAccount = {
  id: "acct-alice",
  username: "alice",
  password: "alice-password",
  accountType: "human",
  roles: ["admin"],
};

export const ROBOT: StandinAccount = {
  id: "acct-ci",
  username: "ci-robot",
  password: "robot-password",
  accountType: "system",
  roles: ["push"],
};

export const DISABLED: StandinAccount = {
  id: "acct-gone",
  username: "mallory",
  password: "mallory-password",
  accountType: "human",
  roles: [],
  disabled: true,
};

const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** Starts a stand-in on 127.0.0.1 and a free port. */
export function startStandin(options: StandinOptions = {}): Standin {
  const accounts = new Map(
    (options.accounts ?? [ALICE, ROBOT, DISABLED]).map((account) => [account.username, account]),
  );
  const tokens = new Map<string, { account: StandinAccount; expiresAt: Date; revoked: boolean }>();
  const calls: Record<string, number> = {};
  const loginBodies: unknown[] = [];

  const issueToken = (username: string): string => {
    const account = accounts.get(username);
    if (!account) throw new Error(`stand-in has no account ${username}`);
    const token = `mcias_${crypto.randomUUID()}`;
    tokens.set(token, {
      account,
      expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS),
      revoked: false,
    });
    return token;
  };

  const login = async (request: Request): Promise<Response> => {
    const body = (await request.json()) as Record<string, unknown>;
    loginBodies.push(body);
    const account = accounts.get(String(body.username));
    if (!account || account.password !== body.password) {
      return Response.json({ error: "invalid credentials" }, { status: 401 });
    }
    if (account.disabled) return Response.json({ error: "account disabled" }, { status: 403 });

    const token = issueToken(account.username);
    const expiresAt = tokens.get(token)?.expiresAt.toISOString();
    return Response.json({ token, expires_at: expiresAt });
  };

  const validate = (request: Request): Response => {
    const header = request.headers.get("authorization") ?? "";
    const entry = tokens.get(header.replace(/^Bearer /, ""));
    if (!entry || entry.revoked || entry.expiresAt.getTime() <= Date.now()) {
      if (options.rejectTokensWith401)
        return Response.json({ error: "bad token" }, { status: 401 });
      return Response.json({ valid: false });
    }
    const { account, expiresAt } = entry;
    return Response.json({
      valid: true,
      sub: account.id,
      username: account.username,
      account_type: account.accountType,
      roles: account.roles,
      expires_at: expiresAt.toISOString(),
    });
  };

  const standin: Standin = {
    url: "",
    mode: "normal",
    calls,
    loginBodies,
    issueToken,
    revoke(token) {
      const entry = tokens.get(token);
      if (entry) entry.revoked = true;
    },
    stop: () => server.stop(true),
  };

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: options.tls,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      calls[path] = (calls[path] ?? 0) + 1;

      switch (standin.mode) {
        case "error500":
          return new Response("internal error", { status: 500 });
        case "not-json":
          return new Response("<html>gateway</html>", { headers: { "content-type": "text/html" } });
        case "wrong-shape":
          return Response.json({ ok: true, user: { name: "alice" } });
        case "hang":
          return new Promise<Response>(() => {});
      }

      // Sends /moved/... to /...: a test that the provider follows no redirect.
      if (path.startsWith("/moved/")) {
        const location = path.slice("/moved".length);
        return new Response(null, { status: 307, headers: { location } });
      }
      if (request.method !== "POST") return new Response(null, { status: 405 });
      if (path === "/v1/auth/login") return login(request);
      if (path === "/v1/token/validate") return validate(request);
      return new Response("not found", { status: 404 });
    },
  });

  standin.url = `${options.tls ? "https" : "http"}://127.0.0.1:${server.port}`;
  return standin;
}

/** A provider for `url` with short timeouts, and the log lines it writes. */
export function providerFor(url: string, options: Partial<MciasProviderOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) });
  const provider = new MciasIdentityProvider(
    { serverUrl: url, caCert: null, serviceName: "mcr-test", tags: ["env:test"], ...options },
    log,
  );
  return { provider, lines };
}
