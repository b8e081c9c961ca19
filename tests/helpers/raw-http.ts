import { connect } from "node:net";

/**
 * Sends a raw HTTP/1.1 GET to 127.0.0.1:`port` with exactly the given Host header (fetch
 * would fix it up) and returns the whole answer as text.
 */
export function rawGet(port: number, host: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

/** A raw connection to 127.0.0.1 whose bytes the test writes itself, as slowly as it likes. */
export interface RawConnection {
  write(text: string): void;
  /** Everything the server answered so far. */
  answer(): string;
  /** Resolves with the milliseconds from connecting until the server closed it. */
  closed: Promise<number>;
  destroy(): void;
}

/** Connects to 127.0.0.1:`port`; nothing is sent until the caller writes. */
export async function openRawConnection(port: number): Promise<RawConnection> {
  const opened = Date.now();
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let answer = "";
  socket.on("data", (chunk) => {
    answer += chunk.toString();
  });
  // A reset is as much a close as a FIN for these tests.
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => {
    socket.once("close", () => resolve(Date.now() - opened));
  });
  return {
    write: (text) => {
      if (!socket.destroyed) socket.write(text);
    },
    answer: () => answer,
    closed,
    destroy: () => socket.destroy(),
  };
}

/** Writes `text` one byte every `intervalMs` until it is all sent or the connection closes. */
export function trickle(connection: RawConnection, text: string, intervalMs: number): () => void {
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= text.length) return clearInterval(timer);
    connection.write(text.charAt(sent++));
  }, intervalMs);
  void connection.closed.then(() => clearInterval(timer));
  return () => clearInterval(timer);
}

/** Sends a request line and headers announcing a chunked body; the chunks follow with writeChunk. */
export function startChunkedRequest(
  connection: RawConnection,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): void {
  const lines = Object.entries({ Host: "127.0.0.1", ...headers, "Transfer-Encoding": "chunked" })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  connection.write(`${method} ${path} HTTP/1.1\r\n${lines}\r\n`);
}

/** One chunk of a chunked body. */
export function writeChunk(connection: RawConnection, text: string): void {
  connection.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
}

/** Waits until the server's status line and headers are in, or `timeoutMs` passes. */
export async function answerHead(connection: RawConnection, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!connection.answer().includes("\r\n\r\n") && Date.now() < deadline) await Bun.sleep(20);
  return connection.answer();
}
