import type { LogFormat, LogLevel } from "../config/config.ts";
import { escapeControlCharacters, hasControlCharacters } from "./control-characters.ts";

/** Values a log line may carry. Never put a password, token or Authorization header here. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A structured logger: one line per call, fields kept as data. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line it writes. */
  child(fields: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; standard error by default, so standard output stays for command output. */
  write?: (line: string) => void;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Creates a logger writing JSON or `key=value` lines.
 *
 * @example
 * const log = createLogger({ level: "info", format: "json" });
 * log.info("listening", { address: "127.0.0.1:5000" });
 */
export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const threshold = LEVEL_ORDER[options.level];
  const write = options.write ?? writeToStandardError;
  const format = options.format === "json" ? formatJson : formatText;

  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < threshold) return;
    write(format(new Date().toISOString(), level, message, { ...bound, ...fields }));
  };

  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything, for tests and tools that want silence. */
export const silentLogger: Logger = createLogger({
  level: "error",
  format: "text",
  write: () => {},
});

function formatJson(time: string, level: LogLevel, message: string, fields: LogFields): string {
  const record: Record<string, unknown> = { time, level, msg: message };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) record[key] = value;
  }
  return jsonWithoutControlCharacters(record);
}

function formatText(time: string, level: LogLevel, message: string, fields: LogFields): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${escapeControlCharacters(message)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line += ` ${key}=${quoteIfNeeded(String(value))}`;
  }
  return line;
}

/**
 * A value as one word: quoted when it holds a blank, a quote or an equals sign, and with
 * every control character escaped, so a value from a client (a user name, a repository
 * name) can neither end the line and forge the next one nor send escapes to a terminal.
 */
function quoteIfNeeded(value: string): string {
  if (value !== "" && !/[\s"=\\]/.test(value) && !hasControlCharacters(value)) return value;
  return jsonWithoutControlCharacters(value);
}

/**
 * JSON text with no control character left raw: JSON.stringify escapes C0 controls but
 * leaves DEL, C1 and the bidirectional overrides as they are; those become `\u` escapes,
 * which read back as the same string.
 */
function jsonWithoutControlCharacters(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

let standardErrorGuarded = false;

/**
 * A write that fails (standard error on a full disk, a pipe whose reader left) is an error
 * event on the stream, and one nobody listens for ends the process: a full log disk would
 * stop the registry at its next log line. The line is lost; the request it describes is not.
 */
function writeToStandardError(line: string): void {
  if (!standardErrorGuarded) {
    standardErrorGuarded = true;
    process.stderr.on("error", () => {});
  }
  process.stderr.write(`${line}\n`);
}
