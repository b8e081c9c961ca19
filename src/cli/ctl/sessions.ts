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
  #warned = false;

  /** `warn` hears, once, that the file was damaged and only its sound part is used. */
  constructor(
    readonly path: string = sessionsPath(),
    private readonly warn: (message: string) => void = (message) =>
      process.stderr.write(`mcr ctl: warning: ${message}\n`),
  ) {}

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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // A damaged file must not stop a login: what is sound is kept, the next save rewrites it.
    const { file, damaged } = soundPart(parsed);
    if (damaged && !this.#warned) {
      this.#warned = true;
      this.warn(`${this.path} is damaged; the next login replaces it`);
    }
    return file;
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

/** The well-formed sessions and current servers of a parsed file, and whether any was not. */
function soundPart(parsed: unknown): { file: SessionsFile; damaged: boolean } {
  const file: SessionsFile = { sessions: {}, current: {} };
  if (!isRecord(parsed)) return { file, damaged: true };
  let damaged = false;

  const sessions = parsed.sessions ?? {};
  if (!isRecord(sessions)) damaged = true;
  else {
    for (const [server, session] of Object.entries(sessions)) {
      if (isSavedSession(session) && session.server === server) file.sessions[server] = session;
      else damaged = true;
    }
  }

  const current = parsed.current ?? {};
  if (!isRecord(current)) damaged = true;
  else {
    for (const transport of ["rest", "grpc"] as const) {
      const server = current[transport];
      if (typeof server === "string") file.current[transport] = server;
      else if (server !== undefined) damaged = true;
    }
  }
  return { file, damaged };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSavedSession(value: unknown): value is SavedSession {
  return (
    isRecord(value) &&
    typeof value.server === "string" &&
    typeof value.token === "string" &&
    typeof value.expires_at === "string" &&
    typeof value.username === "string"
  );
}
