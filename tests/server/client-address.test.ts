import { describe, expect, test } from "bun:test";
import { clientAddress, isTrusted } from "../../src/server/client-address.ts";

describe("clientAddress", () => {
  const PROXIES = ["10.0.0.5", "192.168.0.0/16"];

  test("with no proxies trusted, the peer is the client", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", [])).toBe("203.0.113.9");
  });

  test("X-Forwarded-For from an untrusted peer is ignored", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", PROXIES)).toBe("203.0.113.9");
  });

  test("a trusted proxy without X-Forwarded-For is itself the client", () => {
    expect(clientAddress("10.0.0.5", null, PROXIES)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", "", PROXIES)).toBe("10.0.0.5");
  });

  test("a trusted proxy's X-Forwarded-For names the client", () => {
    expect(clientAddress("10.0.0.5", "198.51.100.1", PROXIES)).toBe("198.51.100.1");
  });

  test("a peer inside a trusted CIDR is believed", () => {
    expect(clientAddress("192.168.44.3", "198.51.100.1", PROXIES)).toBe("198.51.100.1");
  });

  test("the rightmost address that is not a trusted proxy is the client", () => {
    const header = "1.1.1.1, 198.51.100.1, 192.168.1.1";
    expect(clientAddress("10.0.0.5", header, PROXIES)).toBe("198.51.100.1");
  });

  test("addresses the client wrote further left are not believed", () => {
    expect(clientAddress("10.0.0.5", "127.0.0.1, 198.51.100.1", PROXIES)).toBe("198.51.100.1");
  });

  test("spaces and empty entries in the header are skipped", () => {
    expect(clientAddress("10.0.0.5", " 198.51.100.1 ,, ", PROXIES)).toBe("198.51.100.1");
  });

  test("when every hop is a trusted proxy, the leftmost is the client", () => {
    expect(clientAddress("10.0.0.5", "192.168.0.1, 10.0.0.5", PROXIES)).toBe("192.168.0.1");
  });

  test("a header of only separators leaves the peer", () => {
    expect(clientAddress("10.0.0.5", " , ", PROXIES)).toBe("10.0.0.5");
  });

  test("an IPv4-mapped IPv6 peer matches its IPv4 entry", () => {
    expect(clientAddress("::ffff:10.0.0.5", "198.51.100.1", PROXIES)).toBe("198.51.100.1");
  });

  test("an IPv6 proxy is matched exactly", () => {
    expect(clientAddress("fd00::1", "198.51.100.1", ["fd00::1"])).toBe("198.51.100.1");
    expect(clientAddress("fd00::2", "198.51.100.1", ["fd00::1"])).toBe("fd00::2");
  });
});

describe("isTrusted", () => {
  const CASES: Array<[address: string, entry: string, trusted: boolean]> = [
    ["10.0.0.1", "10.0.0.1", true],
    ["10.0.0.2", "10.0.0.1", false],
    ["10.1.2.3", "10.0.0.0/8", true],
    ["11.0.0.0", "10.0.0.0/8", false],
    ["172.16.0.1", "172.16.0.0/12", true],
    ["172.31.255.255", "172.16.0.0/12", true],
    ["172.32.0.0", "172.16.0.0/12", false],
    ["192.168.1.7", "192.168.1.7/32", true],
    ["192.168.1.8", "192.168.1.7/32", false],
    ["8.8.8.8", "0.0.0.0/0", true],
    ["10.0.0.1", "10.0.0.0/33", false],
    ["fd00::1", "fd00::/8", false],
    ["10.0.0.256", "10.0.0.0/24", false],
    ["10.0.0", "10.0.0.0/24", false],
    ["::ffff:172.16.5.4", "172.16.0.0/12", true],
  ];
  for (const [address, entry, trusted] of CASES) {
    test(`${address} ${trusted ? "is" : "is not"} within ${entry}`, () => {
      expect(isTrusted(address, [entry])).toBe(trusted);
    });
  }

  // "10.0.0.1/" has an empty prefix length, which Number() reads as 0: a /0 that matches every
  // address. Config validation refuses the entry, so only direct callers are exposed.
  test("an entry with an empty prefix length trusts nothing", () => {
    expect(isTrusted("203.0.113.9", ["10.0.0.1/"])).toBe(false);
  });

  test("any matching entry of several trusts the address", () => {
    expect(isTrusted("10.9.9.9", ["192.168.0.0/16", "10.0.0.0/8"])).toBe(true);
    expect(isTrusted("10.9.9.9", [])).toBe(false);
  });
});
