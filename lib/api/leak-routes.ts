// POST /api/v1/leaked-keys (SPEC §4, rule 22): API keys and access tokens, from an ADMIN account
// of the credential's org, or a secret-scanning report signed with a key of
// DEPUTY_SECRET_SCANNING_KEYS (read at start-up; verified over the raw body before it is parsed).
import { z } from "zod";
import {
  ZLeakReport,
  acceptsScanningReports,
  reportLeakedKeys,
  verifyScanningSignature,
} from "@/lib/keys/leaks";
import { ApiError } from "./errors";
import { defineRoute } from "./router";

/** One result per reported token, naming it by hash. */
export const ZLeakReportAnswer = z.object({
  results: z.array(
    z.object({ tokenHash: z.string(), status: z.enum(["revoked", "already_revoked", "unknown"]) }),
  ),
});

export const reportLeakedKeysRoute = defineRoute({
  method: "POST",
  path: "/api/v1/leaked-keys",
  operationId: "reportLeakedKeys",
  summary:
    "Report leaked API keys (dpt_…) and access tokens (dpa_…) in GitHub's secret-scanning format. Each one found is revoked at once and audited: a key is marked revoked and leaked, an access token is deleted. An unknown, expired or already revoked credential changes nothing (an access token already revoked answers unknown: nothing of it is left). A report holding any string that is not valid text (a lone surrogate, a NUL) is refused whole, before anything changes. Authenticate as an ADMIN account (only credentials of accounts it manages are touched), or sign the raw body like GitHub: Github-Public-Key-Signature (base64 ECDSA P-256 SHA-256) by a key of DEPUTY_SECRET_SCANNING_KEYS. Answers never echo a token.",
  access: "public",
  rawJsonBody: ZLeakReport,
  responses: {
    200: {
      description: "One result per reported token, in order",
      schema: ZLeakReportAnswer,
    },
  },
  errors: ["invalid_request", "forbidden", "missing_credential", "invalid_credential"],
  handle: async ({ readRawBody, authenticate, failures, source, headers }) => {
    const signature = headers["github-public-key-signature"];
    let reporter: Parameters<typeof reportLeakedKeys>[0];
    const raw = await readRawBody();
    if (headers.authorization) {
      const caller = await authenticate();
      reporter = { kind: "principal", principal: { serviceAccount: caller.serviceAccount, ...source } };
    } else if (typeof signature === "string") {
      if (!acceptsScanningReports()) {
        failures.record();
        throw new ApiError(
          401,
          "invalid_credential",
          "This Deputy takes no signed secret-scanning reports: DEPUTY_SECRET_SCANNING_KEYS is not set.",
        );
      }
      if (!verifyScanningSignature(raw, signature)) {
        failures.record();
        throw new ApiError(
          401,
          "invalid_credential",
          "The report's signature does not verify with any key of DEPUTY_SECRET_SCANNING_KEYS.",
        );
      }
      reporter = { kind: "scanner", ip: source.ip, userAgent: source.userAgent };
    } else {
      throw new ApiError(
        401,
        "missing_credential",
        "Send an ADMIN account's key as Authorization: Bearer <key>, or a signed secret-scanning report.",
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new ApiError(400, "invalid_request", "The body is not valid JSON.");
    }
    return { status: 200, body: { results: await reportLeakedKeys(reporter, body) } };
  },
});
