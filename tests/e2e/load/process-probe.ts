/**
 * What /proc says about a process, for tests that watch the server's resources while it
 * works: resident memory, CPU time, open file descriptors, and TCP connections to a port.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Resident memory in KiB (VmRSS), or 0 once the process is gone. */
export function residentKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** User plus system CPU time of a process, in seconds (from /proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces and parentheses: fields are counted after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const clockTicksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** A process's open descriptors, sorted into what they point at. */
export interface DescriptorCensus {
  /** Paths of regular files and folders, sorted (the database, its WAL, the folder lock...). */
  files: string[];
  /** TCP sockets by state: listeners, open connections, and connections being torn down. */
  listening: number;
  established: number;
  /** Any other TCP state (CLOSE_WAIT, FIN_WAIT...): a socket the process should have closed. */
  closing: number;
  /** Sockets that are not TCP (Unix, netlink) and the runtime's pipes, eventfds and epoll. */
  other: number;
  total: number;
}

/** Counts the open descriptors of `pid` by kind, TCP sockets by state. */
export function describeDescriptors(pid: number): DescriptorCensus {
  const census: DescriptorCensus = {
    files: [],
    listening: 0,
    established: 0,
    closing: 0,
    other: 0,
    total: 0,
  };
  const states = tcpStatesByInode();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the look
    }
    census.total++;
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const state = inode === undefined ? undefined : states.get(inode);
    if (target.startsWith("/")) census.files.push(target);
    else if (state === TCP_STATE.listen) census.listening++;
    else if (state === TCP_STATE.established) census.established++;
    else if (state !== undefined) census.closing++;
    else census.other++;
  }
  census.files.sort();
  return census;
}

/** TCP connections on this host whose local or remote port is `port`, by state. */
export interface PortConnections {
  established: number;
  timeWait: number;
}

const TCP_STATE = { established: "01", timeWait: "06", listen: "0A" } as const;

/** Rows of /proc/net/tcp and tcp6: local and remote address, state, inode. */
function* tcpTable(): Generator<{ local: string; remote: string; state: string; inode: string }> {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, remote, state] = fields;
      const inode = fields[9];
      if (local && remote && state && inode) yield { local, remote, state, inode };
    }
  }
}

function tcpStatesByInode(): Map<string, string> {
  const states = new Map<string, string>();
  for (const row of tcpTable()) states.set(row.inode, row.state);
  return states;
}

/**
 * Connections on this host to or from `port`, by state. A loopback connection appears at
 * both of its ends, so an open connection counts twice.
 */
export function connectionsOnPort(port: number): PortConnections {
  const counts: PortConnections = { established: 0, timeWait: 0 };
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const { local, remote, state } of tcpTable()) {
    if (!local.endsWith(suffix) && !remote.endsWith(suffix)) continue;
    if (state === TCP_STATE.established) counts.established++;
    else if (state === TCP_STATE.timeWait) counts.timeWait++;
  }
  return counts;
}
