import { ServiceAccountDetail } from "@/components/service-accounts/service-account-detail";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service account" };

export default async function OrgServiceAccountPage({
  params,
}: {
  params: Promise<{ org: string; account: string }>;
}) {
  const { org, account } = await params;
  return (
    <ServiceAccountDetail
      caller={await pageCaller()}
      place={{ orgSlug: org }}
      name={account}
      listHref={`/org/${org}/service-accounts`}
    />
  );
}
