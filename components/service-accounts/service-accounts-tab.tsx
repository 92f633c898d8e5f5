import type { Caller } from "@/lib/auth/caller";
import { getCreateOptions, listServiceAccounts, type TPlace } from "@/lib/service-accounts/data";
import { loadOrFail } from "@/lib/pages/guard";
import { ServiceAccountsView } from "./service-accounts-view";

/** Server part of the tab, shared by the Org Dashboard and Team Settings: the first page and options. */
export async function ServiceAccountsTab({ caller, place }: { caller: Caller; place: TPlace }) {
  const [initialPage, options] = await loadOrFail(
    Promise.all([listServiceAccounts(caller, place, {}), getCreateOptions(caller, place)]),
  );
  return (
    <ServiceAccountsView
      place={place}
      initialPage={initialPage}
      canCreate={options.canCreate}
      teams={options.teams}
      maxKeyLifetimeDays={options.maxKeyLifetimeDays}
      issuers={options.issuers}
    />
  );
}
