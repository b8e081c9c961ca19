import { connect } from "node:net";

/** One request sent byte for byte: fetch would resolve dot segments and re-encode the path. */
export interface RawRequest {
  method: string;
  /** The request target exactly as it goes on the request line. */
  target: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** What came back: status, headers (lower-case names) and the body bytes. */
export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Sends one HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection and reads the answer. */
export function rawRequest(port: number, request: RawRequest): Promise<RawAnswer> {
  const body = request.body === undefined ? null : Buffer.from(request.body);
  let head = `${request.method} ${request.target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
  head += "Connection: close\r\n";
  for (const [name, value] of Object.entries(request.headers ?? {}))
    head += `${name}: ${value}\r\n`;
  if (body !== null) head += `Content-Length: ${body.length}\r\n`;

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`${head}\r\n`);
      if (body !== null) socket.write(body);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      try {
        resolve(parseAnswer(Buffer.concat(chunks), request.method === "HEAD"));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseAnswer(bytes: Buffer, isHead: boolean): RawAnswer {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete answer: ${JSON.stringify(bytes.toString())}`);
  const [statusLine = "", ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = bytes.subarray(end + 4);
  if (isHead) return { status, headers, body: Buffer.alloc(0) };
  const body = headers.get("transfer-encoding")?.includes("chunked") ? unchunk(rest) : rest;
  return { status, headers, body };
}

function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", at);
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString(), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * A text as it can stand in a request target: bytes a request line cannot carry (controls,
 * space, `#`, `?`, anything outside ASCII) are percent-encoded, everything else (`%`, `\`,
 * `.`, `/`) is left alone so the server sees it.
 */
export function asTargetSegment(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    out += byte <= 0x20 || byte >= 0x7f || char === "#" || char === "?" ? percent(byte) : char;
  }
  return out;
}

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The path the server works on once it resolved dot segments and backslashes, as Bun does. */
export function resolvedPath(target: string): string {
  return new URL(target, "http://mcr.test").pathname;
}
