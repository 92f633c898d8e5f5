import { describe, expect, it } from "vitest";
import { AddressRanges, clientAddress } from "./address-ranges";

describe("AddressRanges", () => {
  const ranges = new AddressRanges(["10.1.2.0/24", "2001:db8::/64", "192.0.2.7/32"]);
  it.each([
    ["10.1.2.0", true],
    ["10.1.2.255", true],
    ["10.1.3.0", false],
    ["10.1.1.255", false],
    ["::ffff:10.1.2.9", true],
    ["192.0.2.7", true],
    ["192.0.2.8", false],
    ["2001:db8::", true],
    ["2001:db8::ffff:ffff:ffff:ffff", true],
    ["2001:db8:0:1::", false],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", true],
    ["not an address", false],
    ["unknown", false],
  ])("%s inside: %s", (address, inside) => {
    expect(ranges.includes(address)).toBe(inside);
  });
});

describe("clientAddress (rule 26)", () => {
  const proxies = new AddressRanges(["127.0.0.2/32", "10.0.0.0/8"]);
  it("is the socket's address when no proxy is trusted, whatever the header says", () => {
    expect(clientAddress("::ffff:127.0.0.2", "203.0.113.9", null)).toBe("127.0.0.2");
  });
  it("ignores X-Forwarded-For from a socket that is not a trusted proxy", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", proxies)).toBe("127.0.0.1");
  });
  it("takes the right-most untrusted hop behind trusted proxies", () => {
    expect(clientAddress("127.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.5", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.2", ["198.51.100.1", "203.0.113.9"], proxies)).toBe("203.0.113.9");
  });
  it("does not believe a malformed hop nor anything left of it", () => {
    expect(clientAddress("127.0.0.2", "203.0.113.9, evil", proxies)).toBe("127.0.0.2");
  });
  it("is the socket's address when a trusted proxy sends no header", () => {
    expect(clientAddress("127.0.0.2", undefined, proxies)).toBe("127.0.0.2");
  });
});
