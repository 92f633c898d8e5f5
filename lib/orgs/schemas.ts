import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { ZDisplayName, ZEmail, ZSlug } from "@/lib/validation/slug";

export const ZOrgRole = z.enum(["ADMIN", "MEMBER"], { message: "Choose Admin or Member." });

export const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(200, "Use at most 200 characters.");

export const ZSetupInput = z.object({
  orgName: ZDisplayName,
  orgSlug: ZSlug,
  name: ZDisplayName,
  email: ZEmail,
  password: ZPassword,
});

export const ZAddOrgMemberInput = z.object({
  email: ZEmail,
  name: zText().trim().max(80, "Use at most 80 characters.").optional().default(""),
  role: ZOrgRole.default("MEMBER"),
});

export const ZChangeOrgRoleInput = z.object({ userId: zText().min(1).max(64), role: ZOrgRole });
export const ZRemoveOrgMemberInput = z.object({ userId: zText().min(1).max(64) });

const optionalLimit = (what: string, max: number) =>
  z.preprocess(
    (v) => (v === "" || v === null || v === undefined ? null : v),
    z.coerce
      .number({ message: `${what} must be a number, or empty for no limit.` })
      .int(`${what} must be a whole number.`)
      .min(1, `${what} must be at least 1, or empty for no limit.`)
      .max(max, `${what} must be at most ${max}.`)
      .nullable(),
  );

export const ZOrgSettingsInput = z.object({
  name: ZDisplayName,
  seatLimit: z.coerce
    .number({ message: "Seat limit must be a number." })
    .int("Seat limit must be a whole number.")
    .min(1, "Seat limit must be at least 1.")
    .max(1_000_000, "Seat limit must be at most 1,000,000."),
  maxServiceAccounts: optionalLimit("Maximum service accounts", 100_000),
  maxKeysPerAccount: optionalLimit("Maximum keys per account", 1_000),
  maxKeyLifetimeDays: optionalLimit("Maximum key lifetime", 3650),
});
