import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";

/** A session `mcr ctl login` opened, as saved for later commands. */
export interface SavedSession {
  server: string;
  token: string;
  /** ISO 8601. */
  expires_at: string;
  username: string;
}

/**
 * The saved-logins file: sessions keyed by server URL, and for each transport the server of
 * its last login, which later commands without --server talk to. A REST login and a gRPC
 * login go to different listeners, so each transport remembers its own.
 */
interface SessionsFile {
  sessions: Record<string, SavedSession>;
  current: { rest?: string; grpc?: string };
}

/**
 * Where logins are kept: $XDG_CONFIG_HOME/mcr/sessions.json, or ~/.config/mcr/ when that
 * variable is unset or not an absolute path (as the XDG base directory spec says).
 */
export function sessionsPath(env: Record<string, string | undefined> = process.env): string {
  const configHome = env.XDG_CONFIG_HOME;
  const base = configHome && isAbsolute(configHome) ? configHome : join(homedir(), ".config");
  return join(base, "mcr", "sessions.json");
}

/**
 * The saved sessions. The file holds live tokens: its folder is made 0700 and the file 0600,
 * written to a temporary name and renamed so that no reader sees half of it.
 */
export class SessionStore {
  constructor(readonly path: string = sessionsPath()) {}

  /** The server of the last login over `transport`, if any. */
  currentServer(transport: "rest" | "grpc"): string | null {
    return this.#read().current[transport] ?? null;
  }

  /** The session saved for `server`, expired or not. */
  find(server: string): SavedSession | null {
    return this.#read().sessions[server] ?? null;
  }

  save(session: SavedSession, transport: "rest" | "grpc"): void {
    const file = this.#read();
    file.sessions[session.server] = session;
    file.current[transport] = session.server;
    this.#write(file);
  }

  /**
   * Forgets the session of `server`; true when there was one. The server stays the current
   * one, so that the next command says "not logged in" rather than trying the default.
   */
  remove(server: string): boolean {
    const file = this.#read();
    if (!file.sessions[server]) return false;
    delete file.sessions[server];
    this.#write(file);
    return true;
  }

  #read(): SessionsFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return { sessions: {}, current: {} };
    }
    try {
      const parsed = JSON.parse(text) as Partial<SessionsFile>;
      return { sessions: parsed.sessions ?? {}, current: parsed.current ?? {} };
    } catch {
      // A damaged file holds no usable login; the next login writes a good one.
      return { sessions: {}, current: {} };
    }
  }

  #write(file: SessionsFile): void {
    const folder = dirname(this.path);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
    if (Object.keys(file.sessions).length === 0 && Object.keys(file.current).length === 0) {
      rmSync(this.path, { force: true });
      return;
    }
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}
