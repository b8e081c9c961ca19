import { randomBytes } from "node:crypto";

/** A signed-in browser: the admin API session it uses, and who it is. */
export interface WebSession {
  /** The cookie's value; a random id, never the API token. */
  id: string;
  /** The admin API session token; it stays on this server. */
  apiToken: string;
  username: string;
  roles: string[];
  /** Milliseconds since the epoch, when the API session ends. */
  expiresAt: number;
  /** Every form of this session carries it (synchronizer token). */
  csrfToken: string;
}

/** A fresh random value, URL- and cookie-safe. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Sessions in memory, keyed by a random id: the browser holds only the id, so the API token
 * is never in a page or a cookie. A restart of `mcr web` signs everyone out, which is fine for
 * an admin console.
 */
export class SessionStore {
  readonly #sessions = new Map<string, WebSession>();

  create(login: Omit<WebSession, "id" | "csrfToken">): WebSession {
    this.#sweep();
    const session = { ...login, id: randomToken(), csrfToken: randomToken() };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of that id, or null when unknown or expired. */
  get(id: string | undefined): WebSession | null {
    if (!id) return null;
    const session = this.#sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= Date.now()) {
      this.#sessions.delete(id);
      return null;
    }
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Forgets expired sessions, so that abandoned ones do not pile up. */
  #sweep(): void {
    const now = Date.now();
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) this.#sessions.delete(id);
    }
  }
}
