// A credential's restrictions as the hot path checks them: worked out once when its record is
// loaded (and kept in the credential cache with it), so a request checks them with no database
// read and no parsing.
import { AddressRanges } from "@/lib/security/address-ranges";
import { effectivePermission, type AccountRole, type Permission, type Restrictions } from "./restrictions";

export type CredentialRestrictions = {
  /** The effective level: the lower of the account's role and the key's permission. */
  permission: Permission;
  /** The key's stored restrictions (null fields: not restricted), as answers show them. */
  stored: Restrictions;
  projects: string[] | null;
  /** allowedIps, ready to match; null when any address may use the credential. */
  addresses: AddressRanges | null;
};

export function credentialRestrictions(role: AccountRole, stored: Restrictions): CredentialRestrictions {
  return {
    permission: effectivePermission(role, stored.permission),
    stored,
    projects: stored.projects,
    addresses: stored.allowedIps ? new AddressRanges(stored.allowedIps) : null,
  };
}

/** Restrictions in the API's `restrictions` shape (rule 24): the effective permission. */
export function restrictionsAnswerOf(role: AccountRole, stored: Restrictions) {
  return {
    permission: effectivePermission(role, stored.permission),
    projects: stored.projects,
    allowedIps: stored.allowedIps,
  };
}

/** A verified credential's restrictions in that shape (/viewer). */
export function restrictionsAnswer(restrictions: CredentialRestrictions) {
  return {
    permission: restrictions.permission,
    projects: restrictions.projects,
    allowedIps: restrictions.stored.allowedIps,
  };
}
