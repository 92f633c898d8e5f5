// The service-accounts domain, one module per job; importers may keep using this entry point.
export { ZPlace, type TPlace } from "./place";
export { type KeyStatus } from "./key-state";
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
export { createKey, listKeys, revokeKey, rotateKey, updateKey } from "./keys";
export { listManagedAccounts, getManagedAccount, type ServiceAccountRecord } from "./directory";
// The console's door: places and form fields.
export {
  createServiceAccount,
  updateServiceAccount,
  setServiceAccountStatus,
  deleteServiceAccount,
  createApiKey,
  revokeApiKey,
  updateFederation,
} from "./console";
