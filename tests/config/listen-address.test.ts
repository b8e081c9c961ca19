import { describe, expect, test } from "bun:test";
import {
  formatListenAddress,
  isLoopbackHost,
  parseListenAddress,
} from "../../src/config/listen-address.ts";

describe("parseListenAddress", () => {
  test("reads HOST:PORT", () => {
    expect(parseListenAddress("127.0.0.1:5000")).toEqual({ host: "127.0.0.1", port: 5000 });
  });

  test("reads a host name", () => {
    expect(parseListenAddress("localhost:8080")).toEqual({ host: "localhost", port: 8080 });
  });

  test("reads a bracketed IPv6 address without the brackets", () => {
    expect(parseListenAddress("[::1]:5000")).toEqual({ host: "::1", port: 5000 });
  });

  test(":PORT listens on every interface", () => {
    expect(parseListenAddress(":5000")).toEqual({ host: "0.0.0.0", port: 5000 });
  });

  test("port 0 asks for any free port", () => {
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
  });

  test("the highest port is 65535", () => {
    expect(parseListenAddress("127.0.0.1:65535")?.port).toBe(65535);
    expect(parseListenAddress("127.0.0.1:65536")).toBeNull();
  });

  for (const text of ["5000", "127.0.0.1", "127.0.0.1:", "::1:5000", "host:port", "h:123456"]) {
    test(`${JSON.stringify(text)} is refused`, () => {
      expect(parseListenAddress(text)).toBeNull();
    });
  }
});

describe("isLoopbackHost", () => {
  for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1"]) {
    test(`${host} is loopback`, () => {
      expect(isLoopbackHost(host)).toBe(true);
    });
  }
  for (const host of ["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"]) {
    test(`${host} is not loopback`, () => {
      expect(isLoopbackHost(host)).toBe(false);
    });
  }
});

describe("formatListenAddress", () => {
  test("writes an IPv4 address as HOST:PORT", () => {
    expect(formatListenAddress({ host: "127.0.0.1", port: 5000 })).toBe("127.0.0.1:5000");
  });

  test("brackets an IPv6 host", () => {
    expect(formatListenAddress({ host: "::1", port: 5000 })).toBe("[::1]:5000");
  });

  test("a formatted address parses back to itself", () => {
    const address = { host: "fe80::1", port: 443 };
    expect(parseListenAddress(formatListenAddress(address))).toEqual(address);
  });
});
