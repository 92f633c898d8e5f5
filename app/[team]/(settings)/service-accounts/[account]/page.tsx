import { ServiceAccountDetail } from "@/components/service-accounts/service-account-detail";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service account" };

export default async function TeamServiceAccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ team: string; account: string }>;
  searchParams: Promise<{ key?: string | string[] }>;
}) {
  const { team, account } = await params;
  const { key } = await searchParams;
  return (
    <ServiceAccountDetail
      caller={await pageCaller()}
      place={{ teamSlug: team }}
      name={account}
      askedKey={typeof key === "string" ? key : undefined}
      listHref={`/${team}/service-accounts`}
    />
  );
}
