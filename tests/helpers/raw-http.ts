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
