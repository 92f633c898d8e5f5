import { ServiceAccountDetail } from "@/components/service-accounts/service-account-detail";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service account" };

export default async function OrgServiceAccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string; account: string }>;
  searchParams: Promise<{ key?: string | string[] }>;
}) {
  const { org, account } = await params;
  const { key } = await searchParams;
  return (
    <ServiceAccountDetail
      caller={await pageCaller()}
      place={{ orgSlug: org }}
      name={account}
      askedKey={typeof key === "string" ? key : undefined}
      listHref={`/org/${org}/service-accounts`}
    />
  );
}
