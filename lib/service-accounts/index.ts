// The service-accounts feature, one module per job. Two kinds of export, named so they cannot be
// confused: the domain (any principal; named for the job: createAccount, createKey …) and the
// console's adapters (a page's place and form fields; named for their door: …FromForm).
// The rule of the two homes: lib/service-accounts/ is the accounts (lifecycle, lists, places,
// trust settings, project access); lib/keys/ is everything about API keys (format, schemas, state,
// lifecycle, verification, last use, leaks). Only the console's "Create API key" adapter is here,
// because it serves an account's page.
export { ZPlace, type TPlace } from "./place";
export {
  PAGE_SIZE,
  listServiceAccounts,
  getCreateOptions,
  getServiceAccountDetail,
  type ServiceAccountRow,
} from "./queries";
export { explainProjectAccess } from "./project-access";
// The domain, for any principal (a person or an ADMIN service account).
export { createAccount, updateAccount, deleteAccount, loadManagedAccount } from "./accounts";
export { listManagedAccounts, getManagedAccount, type ServiceAccountRecord } from "./directory";
// The console's door: places and form fields.
export {
  createServiceAccountFromForm,
  updateServiceAccountFromForm,
  setServiceAccountStatusFromForm,
  deleteServiceAccountFromForm,
  createApiKeyFromForm,
  updateFederationFromForm,
} from "./console";
