import type { NodeHandler } from "./connection-timeouts.ts";

/**
 * A handler that loads the real one when the first request arrives. Connect, protobuf and the
 * generated services are some 30,000 heap objects: a registry that serves only /v2 never
 * needs them, and every full collection of its heap would walk them. The requests that arrive
 * while it loads wait for it; their bodies stay buffered in their streams.
 */
export function handlerOnFirstCall(
  load: () => Promise<NodeHandler>,
  onLoadFailure: (error: Error) => void,
): NodeHandler {
  let loaded: NodeHandler | undefined;
  let loading: Promise<NodeHandler> | undefined;
  return (request, response) => {
    if (loaded) return loaded(request, response);
    loading ??= load().then((handler) => {
      loaded = handler;
      return handler;
    });
    loading.then(
      (handler) => handler(request, response),
      (error: Error) => {
        // Try again on the next request; this one cannot be answered in its own protocol.
        loading = undefined;
        onLoadFailure(error);
        response.destroy(error);
      },
    );
  };
}
