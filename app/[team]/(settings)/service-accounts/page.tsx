import { ServiceAccountsTab } from "@/components/service-accounts/service-accounts-tab";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service Accounts" };

export default async function TeamServiceAccountsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team } = await params;
  return <ServiceAccountsTab caller={await pageCaller()} place={{ teamSlug: team }} />;
}
