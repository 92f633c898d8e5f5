// Transitional: the barrel is ./index.ts now. Kept only for tests/support/team-matrix.ts, a file
// another change has in progress; import from "@/lib/service-accounts" and delete this file.
/** @deprecated import createServiceAccountFromForm from "@/lib/service-accounts". */
export { createServiceAccountFromForm as createServiceAccount } from "./console";
/** @deprecated import createApiKeyFromForm from "@/lib/service-accounts". */
export { createApiKeyFromForm as createApiKey } from "./console";
