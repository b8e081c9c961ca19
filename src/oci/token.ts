import type { Authenticator } from "../auth/authenticator.ts";
import { parseAuthorization } from "../auth/authorization-header.ts";
import type { Principal } from "../auth/identity.ts";
import { TokenRequestError, type TokenService } from "../auth/token-service.ts";
import { jsonResponse } from "../server/json-response.ts";
import { ociErrorResponse } from "./errors.ts";
import { readLimitedBody } from "./request-body.ts";

/** A form body larger than this is not a token request. */
const MAX_FORM_BYTES = 64 * 1024;

type Outcome = { principal: Principal } | { refused: string };
/** A form can also be malformed, which is the client's mistake rather than bad credentials. */
type FormOutcome = Outcome | { invalid: string };

/**
 * The Docker token endpoint at /v2/token.
 *
 * - GET (docker, podman, skopeo): Basic credentials or none (anonymous), `service`, any
 *   number of `scope` parameters, and `offline_token=true` for a refresh token.
 * - POST (containerd, and docker with a stored identity token): an OAuth2 form with
 *   `grant_type=password` or `grant_type=refresh_token`.
 */
export async function handleTokenRequest(
  request: Request,
  url: URL,
  clientAddress: string,
  tokens: { service: TokenService; authenticator: Authenticator; stallSeconds: number },
): Promise<Response> {
  if (request.method === "GET") {
    const outcome = await principalFromHeader(request, clientAddress, tokens.authenticator);
    if ("refused" in outcome) return unauthorized(outcome.refused);
    return grant(tokens.service, {
      principal: outcome.principal,
      service: url.searchParams.get("service"),
      scopes: url.searchParams.getAll("scope"),
      offline: url.searchParams.get("offline_token") === "true",
      clientAddress,
      oauth: false,
    });
  }
  if (request.method === "POST") {
    const body = await readLimitedBody(
      request,
      MAX_FORM_BYTES,
      tokens.stallSeconds,
      "token request form",
    );
    const form = new URLSearchParams(new TextDecoder().decode(body));
    const outcome = await principalFromForm(form, clientAddress, tokens.authenticator);
    if ("invalid" in outcome) return ociErrorResponse(400, "UNSUPPORTED", outcome.invalid);
    if ("refused" in outcome) return unauthorized(outcome.refused);
    return grant(tokens.service, {
      principal: outcome.principal,
      service: form.get("service"),
      scopes: form.getAll("scope"),
      offline: form.get("access_type") === "offline",
      clientAddress,
      oauth: true,
    });
  }
  return ociErrorResponse(405, "UNSUPPORTED", "use GET or POST on /v2/token", {
    Allow: "GET, POST",
  });
}

async function principalFromHeader(
  request: Request,
  clientAddress: string,
  authenticator: Authenticator,
): Promise<Outcome> {
  const credentials = parseAuthorization(request.headers.get("authorization"));
  if (credentials === null) return { principal: null };
  if (credentials === "malformed") return { refused: "the Authorization header cannot be read" };
  if (credentials.scheme === "basic") {
    const identity = await authenticator.verifyPassword(
      credentials.username,
      credentials.password,
      clientAddress,
    );
    return identity ? { principal: identity } : { refused: "invalid username or password" };
  }
  const bearer = await authenticator.verifyBearer(credentials.token);
  if (bearer?.kind === "identity") return { principal: bearer.identity };
  return { refused: "a registry token cannot be exchanged for another; send credentials" };
}

async function principalFromForm(
  form: URLSearchParams,
  clientAddress: string,
  authenticator: Authenticator,
): Promise<FormOutcome> {
  const grantType = form.get("grant_type");
  if (grantType === "password") {
    const identity = await authenticator.verifyPassword(
      form.get("username") ?? "",
      form.get("password") ?? "",
      clientAddress,
    );
    return identity ? { principal: identity } : { refused: "invalid username or password" };
  }
  if (grantType === "refresh_token") {
    const identity = await authenticator.verifyRefreshToken(form.get("refresh_token") ?? "");
    return identity
      ? { principal: identity }
      : { refused: "the refresh token is invalid or has expired" };
  }
  return {
    invalid: `unsupported grant_type ${JSON.stringify(grantType)}; use password or refresh_token`,
  };
}

async function grant(
  service: TokenService,
  request: Parameters<TokenService["grant"]>[0] & { oauth: boolean },
): Promise<Response> {
  try {
    const granted = await service.grant(request);
    const body: Record<string, unknown> = request.oauth
      ? {
          access_token: granted.token,
          token_type: "Bearer",
          expires_in: granted.expiresIn,
          issued_at: granted.issuedAt,
          scope: granted.scopes
            .map((scope) => `${scope.type}:${scope.name}:${scope.actions.join(",")}`)
            .join(" "),
        }
      : {
          token: granted.token,
          access_token: granted.token,
          expires_in: granted.expiresIn,
          issued_at: granted.issuedAt,
        };
    if (granted.refreshToken) body.refresh_token = granted.refreshToken;
    return jsonResponse(body, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof TokenRequestError)
      return ociErrorResponse(400, "UNSUPPORTED", error.message);
    throw error;
  }
}

function unauthorized(message: string): Response {
  return ociErrorResponse(401, "UNAUTHORIZED", message);
}
