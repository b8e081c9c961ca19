import type { Actor, AuditLog } from "../audit/audit-log.ts";
import type { PolicyService } from "../policy/policy-service.ts";
import { type Principal, principalName } from "./identity.ts";
import { parseScope, policyActionsFor, type Scope } from "./scope.ts";
import type { TokenStore } from "./token-store.ts";

/** Settings of the token endpoint. */
export interface TokenServiceOptions {
  /** The `service` clients name in token requests. */
  service: string;
  /** Seconds a registry token lives. */
  tokenTtl: number;
  /** Seconds a refresh token lives. */
  refreshTokenTtl: number;
}

/** A token granted at the token endpoint. */
export interface TokenGrant {
  token: string;
  expiresIn: number;
  issuedAt: string;
  /** What the token grants: the overlap of what was asked and what the policy allows. */
  scopes: Scope[];
  refreshToken?: string;
}

/** A token request the endpoint cannot serve. */
export class TokenRequestError extends Error {}

/**
 * The logic of the Docker token endpoint: a principal asks for scopes, and gets a registry
 * token for the part of them the policy allows (possibly nothing: the client then meets a
 * 401 insufficient_scope or a 403 where it tries).
 */
export class TokenService {
  constructor(
    private readonly tokens: TokenStore,
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
    private readonly options: TokenServiceOptions,
  ) {}

  /** The `service` this endpoint issues tokens for. */
  get service(): string {
    return this.options.service;
  }

  async grant(request: {
    principal: Principal;
    service: string | null;
    /** Raw scope parameters; each may hold several scopes separated by spaces. */
    scopes: string[];
    /** Issue a refresh token too (docker login's offline_token, OAuth2 access_type). */
    offline: boolean;
    clientAddress: string;
  }): Promise<TokenGrant> {
    if (request.service && request.service !== this.options.service) {
      throw new TokenRequestError(
        `this registry issues tokens for service ${JSON.stringify(this.options.service)}, not ${JSON.stringify(request.service)}`,
      );
    }
    const { principal } = request;
    const { granted, refused } = this.#allowedScopes(principal, request.scopes);
    const now = Date.now();
    const issued = await this.tokens.issue({
      kind: "registry",
      identity: principal ?? ANONYMOUS_IDENTITY,
      ttlSeconds: this.options.tokenTtl,
      access: granted,
      now,
    });

    const grant: TokenGrant = {
      token: issued.secret,
      expiresIn: this.options.tokenTtl,
      issuedAt: new Date(now).toISOString(),
      scopes: granted,
    };
    // System accounts sign in with long-lived API tokens already; a refresh token would only
    // outlive an API token that was meant to expire.
    if (request.offline && principal && principal.accountType === "human") {
      const refresh = await this.tokens.issue({
        kind: "refresh",
        identity: principal,
        ttlSeconds: this.options.refreshTokenTtl,
        description: "refresh token from the token endpoint",
        now,
      });
      grant.refreshToken = refresh.secret;
    }

    // Anonymous tokens are not audited: anyone can ask for them, and the trail would record
    // nothing but noise (the tokens themselves expire and are purged).
    if (!principal) return grant;
    const actor: Actor = { name: principalName(principal), clientAddress: request.clientAddress };
    // Clients learn of a refusal only as a narrower token and a 401 later; the trail records
    // it here, where the decision was made, with what was asked.
    if (refused.length > 0) {
      await this.audit.record({
        type: "policy_denied",
        actor,
        repository: refused[0]?.split(":")[1] ?? null,
        details: { via: "token endpoint", refused },
      });
    }
    await this.audit.record({
      type: "token_issued",
      actor,
      details: {
        kind: "registry",
        token_id: issued.id,
        scopes: granted,
        refresh: Boolean(grant.refreshToken),
      },
    });
    return grant;
  }

  #allowedScopes(principal: Principal, raw: string[]) {
    const granted: Scope[] = [];
    const refused: string[] = [];
    const texts = raw.flatMap((parameter) => parameter.split(" ")).filter(Boolean);
    if (texts.length > MAX_SCOPES) {
      throw new TokenRequestError(`at most ${MAX_SCOPES} scopes may be asked for at once`);
    }
    for (const text of texts) {
      const scope = parseScope(text);
      if (!scope) continue;
      const repository = scope.type === "repository" ? scope.name : null;
      const actions = scope.actions.filter((action) => {
        const needed = policyActionsFor(scope, action);
        const allowed =
          needed.length > 0 &&
          needed.every(
            (policyAction) =>
              this.policy.evaluate({ principal, action: policyAction, repository }).allowed,
          );
        if (!allowed) refused.push(`${scope.type}:${scope.name}:${action}`);
        return allowed;
      });
      if (actions.length > 0) granted.push({ ...scope, actions });
    }
    // A client may ask for one scope twice (`pull` and `pull,push`); the trail names it once.
    return { granted, refused: [...new Set(refused)] };
  }
}

/** No client asks for more at once; more is someone filling the token table. */
const MAX_SCOPES = 50;

/**
 * Registry tokens of anonymous requests are issued to this stand-in identity. A registry
 * token is only ever checked against the scopes it records, never re-evaluated by the
 * policy; should that change, the least-privileged account type keeps this one harmless.
 */
const ANONYMOUS_IDENTITY = {
  id: "anonymous",
  username: "anonymous",
  accountType: "system" as const,
  roles: [],
};
