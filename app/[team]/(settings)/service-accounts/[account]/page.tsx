import { ServiceAccountDetail } from "@/components/service-accounts/service-account-detail";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service account" };

export default async function TeamServiceAccountPage({
  params,
}: {
  params: Promise<{ team: string; account: string }>;
}) {
  const { team, account } = await params;
  return (
    <ServiceAccountDetail
      caller={await pageCaller()}
      place={{ teamSlug: team }}
      name={account}
      listHref={`/${team}/service-accounts`}
    />
  );
}
