import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Caller } from "../api/caller.ts";

/** The peer's address, set per request by the listener; the Connect context has no peer. */
export const peerAddressKey = createContextKey<string>("", { description: "peer address" });

/** The authenticated caller, set by the authentication interceptor. */
export const callerKey = createContextKey<Caller | null>(null, { description: "caller" });

/** The caller of a method that needs one; the interceptor has made sure there is one. */
export function callerOf(context: HandlerContext): Caller {
  const caller = context.values.get(callerKey);
  if (!caller) throw new Error(`${context.method.name} ran without an authenticated caller`);
  return caller;
}

export function peerOf(context: HandlerContext): string {
  return context.values.get(peerAddressKey);
}
