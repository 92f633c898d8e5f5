import { describe, expect, it } from "vitest";
import { metricsAccess } from "./metrics-access";

describe("metricsAccess", () => {
  it("without a token: loopback sockets only, whatever the headers say", () => {
    expect(metricsAccess(undefined, undefined, "127.0.0.1")).toBe("allowed");
    expect(metricsAccess(undefined, undefined, "::1")).toBe("allowed");
    expect(metricsAccess(undefined, undefined, "::ffff:127.0.0.1")).toBe("allowed");
    expect(metricsAccess(undefined, "Bearer anything", "10.0.0.8")).toBe("forbidden");
    expect(metricsAccess(undefined, undefined, undefined)).toBe("forbidden");
  });

  it("with a token: exactly that bearer token, from anywhere (loopback too)", () => {
    const token = "a-metrics-token-of-length";
    expect(metricsAccess(token, `Bearer ${token}`, "10.0.0.8")).toBe("allowed");
    expect(metricsAccess(token, `bearer   ${token}`, "10.0.0.8")).toBe("allowed");
    expect(metricsAccess(token, "Bearer wrong", "127.0.0.1")).toBe("unauthorized");
    expect(metricsAccess(token, `Bearer ${token}x`, "10.0.0.8")).toBe("unauthorized");
    expect(metricsAccess(token, undefined, "127.0.0.1")).toBe("unauthorized");
  });
});
