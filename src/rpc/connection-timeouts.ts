import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Socket } from "node:net";

/** A node:http or node:http2 request handler, as connect-node's adapter is. */
export type NodeHandler = (
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
) => void;

/** The two limits of {@link createConnectionTimeouts}, in milliseconds. */
export interface ConnectionTimeoutOptions {
  /** How long a connection may send and receive nothing while no call is running. */
  idleMs: number;
  /** How long a request may take to arrive whole. */
  requestMs: number;
}

/**
 * Timeouts for the admin RPC listener. node:http and node:http2 under Bun apply no header,
 * request or idle timeout of their own, and the listener's protocol sniffing waits for a
 * first byte: a client that connects and sends nothing, or a few header bytes, or a body a
 * byte at a time, would otherwise hold its connection (and its buffers) forever.
 *
 * A connection idle while some call runs is spared: a snapshot of a large database may
 * take minutes without a byte on the wire.
 */
export function createConnectionTimeouts(options: ConnectionTimeoutOptions) {
  let callsRunning = 0;
  /** HTTP/1.1 connections waiting for their next request: the timer that closes them. */
  const awaitingRequest = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
  const expectRequest = (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), options.requestMs);
    timer.unref();
    awaitingRequest.set(socket, timer);
  };

  return {
    /** Closes `socket` once it has been idle for the idle limit. */
    watch(socket: Socket): void {
      socket.setTimeout(options.idleMs);
      socket.on("timeout", () => {
        if (callsRunning > 0) socket.setTimeout(options.idleMs);
        else socket.destroy();
      });
    },

    /**
     * Gives an HTTP/1.1 connection the request limit to deliver each request's headers: a
     * client sending them a byte at a time is never idle, and node:http under Bun sets no
     * deadline of its own. (HTTP/2 headers arrive as whole frames.)
     */
    watchRequests(socket: Socket): void {
      expectRequest(socket);
      socket.once("close", () => clearTimeout(awaitingRequest.get(socket)));
    },

    /**
     * Wraps `handler` so that a request whose body has not arrived within the request limit
     * is destroyed. Only the request is timed: the answer may take as long as the call needs.
     */
    wrap(handler: NodeHandler): NodeHandler {
      return (request, response) => {
        callsRunning++;
        const connection = request.socket as Socket;
        const waiting = awaitingRequest.get(connection);
        if (waiting !== undefined) {
          clearTimeout(waiting);
          awaitingRequest.delete(connection);
          // HTTP/1.1 answers one request at a time: the next may come once this one is done.
          response.once("finish", () => {
            if (!connection.destroyed) expectRequest(connection);
          });
        }
        const timer = setTimeout(() => {
          if (!request.complete) request.destroy();
        }, options.requestMs);
        timer.unref();
        request.once("end", () => clearTimeout(timer));
        response.once("close", () => {
          clearTimeout(timer);
          callsRunning--;
        });
        handler(request, response);
      };
    },
  };
}
