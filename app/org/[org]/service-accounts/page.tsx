import { ServiceAccountsTab } from "@/components/service-accounts/service-accounts-tab";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Service Accounts" };

export default async function OrgServiceAccountsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  return <ServiceAccountsTab caller={await pageCaller()} place={{ orgSlug: org }} />;
}
