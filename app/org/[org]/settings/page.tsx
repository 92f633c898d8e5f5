import { OrgSettingsForm } from "@/components/org/org-settings-form";
import { getOrgSettings } from "@/lib/orgs/settings";
import { getPolicies } from "@/lib/orgs/policies";
import { PoliciesForm } from "@/components/org/policies-form";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";
import { SsoForm } from "@/components/org/sso-form";
import { ScimPanel } from "@/components/org/scim-panel";
import { getSsoSettings } from "@/lib/sso/settings";
import { scimBaseUrl, scimTokenStatus } from "@/lib/scim/tokens";

export const metadata = { title: "Settings" };

export default async function OrgSettingsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const caller = await pageCaller();
  const settings = await loadOrFail(getOrgSettings(caller, org));
  const policies = await loadOrFail(getPolicies(caller, org));
  const sso = await loadOrFail(getSsoSettings(caller, org));
  const scim = await loadOrFail(scimTokenStatus(caller, org));
  return (
    <section aria-labelledby="settings-heading" className="space-y-4">
      <h2 id="settings-heading" className="text-lg font-semibold">
        Settings
      </h2>
      <OrgSettingsForm orgSlug={org} settings={settings} />
      <PoliciesForm orgSlug={org} policies={policies} />
      <SsoForm orgSlug={org} settings={sso.settings} redirectUri={sso.redirectUri} />
      <ScimPanel
        orgSlug={org}
        baseUrl={scimBaseUrl()}
        status={
          scim && {
            hint: scim.hint,
            createdAt: scim.createdAt.toISOString(),
            lastUsedAt: scim.lastUsedAt?.toISOString() ?? null,
          }
        }
      />
    </section>
  );
}
