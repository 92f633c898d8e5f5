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
export {
  createServiceAccount,
  updateServiceAccount,
  setServiceAccountStatus,
  deleteServiceAccount,
} from "./accounts";
export { createApiKey, revokeApiKey } from "./keys";
