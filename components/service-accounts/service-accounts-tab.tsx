import type { PersonPrincipal } from "@/lib/core/principal";
import { getCreateOptions, listServiceAccounts, type TPlace } from "@/lib/service-accounts";
import { getAttentionList } from "@/lib/service-accounts/attention";
import { loadOrFail } from "@/lib/pages/guard";
import { AttentionList } from "./attention-list";
import { ServiceAccountsView } from "./service-accounts-view";

/**
 * Server part of the tab, shared by the Org Dashboard and Team Settings: the first page and
 * options, and on the Org Dashboard the Attention list.
 */
export async function ServiceAccountsTab({ caller, place }: { caller: PersonPrincipal; place: TPlace }) {
  const [initialPage, options, attention] = await loadOrFail(
    Promise.all([
      listServiceAccounts(caller, place, {}),
      getCreateOptions(caller, place),
      "orgSlug" in place ? getAttentionList(caller, place.orgSlug) : null,
    ]),
  );
  return (
    <div className="space-y-6">
      {attention && <AttentionList data={attention} />}
      <ServiceAccountsView
        place={place}
        initialPage={initialPage}
        canCreate={options.canCreate}
        teams={options.teams}
        maxKeyLifetimeDays={options.maxKeyLifetimeDays}
        issuers={options.issuers}
      />
    </div>
  );
}
