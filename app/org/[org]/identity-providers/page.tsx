import { IdentityProvidersPanel } from "@/components/org/identity-providers-panel";
import { listIdentityProviders } from "@/lib/federation/providers";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Identity providers" };

export default async function OrgIdentityProvidersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const providers = await loadOrFail(listIdentityProviders(await pageCaller(), org));
  return (
    <IdentityProvidersPanel
      orgSlug={org}
      providers={providers.map((p) => ({
        id: p.id,
        issuer: p.issuer,
        name: p.name,
        jwksUri: p.resolvedJwksUri,
        keyCount: p.keyCount,
        refreshedAt: p.refreshedAt.toISOString(),
        trustedBy: p.trustedBy.map((t) => ({ name: t.name, href: t.href })),
      }))}
    />
  );
}
