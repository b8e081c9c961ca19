import type { Snapshot } from "../admin/snapshot-service.ts";
import type { AdminDependencies } from "./admin-dependencies.ts";
import { actorOf, type Caller, requireAdmin } from "./caller.ts";

/** Consistent copies of the metadata database, made while serving; admins only. */
export class SnapshotApi {
  constructor(private readonly deps: AdminDependencies) {}

  create(caller: Caller): Promise<Snapshot> {
    requireAdmin(caller);
    return this.deps.snapshots.create(actorOf(caller));
  }
}
