import type { Session } from "../admin/session-service.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { ApiError } from "./api-error.ts";

/** Health, and admin sessions: log in with a password, log out by revoking the token. */
export class SessionApi {
  constructor(private readonly deps: AdminDependencies) {}

  health() {
    return { status: "ok", version: this.deps.version };
  }

  async login(username: string, password: string, clientAddress: string): Promise<Session> {
    const sessions = this.#sessions();
    if (username === "" || password === "") {
      throw new ApiError("invalid-argument", "username and password are required");
    }
    const session = await sessions.login(username, password, clientAddress);
    if (!session) throw new ApiError("unauthenticated", "invalid username or password");
    return session;
  }

  /** `authorization` is the call's Authorization header, which must carry the session. */
  async logout(authorization: string | null, clientAddress: string): Promise<void> {
    const token = /^bearer\s+(.+)$/i.exec(authorization ?? "")?.[1];
    if (!token || !this.deps.identity) {
      throw new ApiError("unauthenticated", "log out with the session's bearer token");
    }
    if (!(await this.deps.identity.sessions.logout(token, clientAddress))) {
      throw new ApiError("unauthenticated", "not a live session token");
    }
  }

  #sessions() {
    if (!this.deps.identity) {
      throw new ApiError("not-found", "this registry has no accounts (auth provider none)");
    }
    return this.deps.identity.sessions;
  }
}
