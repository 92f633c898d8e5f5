import { MembersPanel } from "@/components/org/members-panel";
import { listOrgMembers } from "@/lib/orgs/members";
import { getOrgOverview } from "@/lib/orgs/overview";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Members" };

export default async function OrgMembersPage({ params }: { params: Promise<{ org: string }> }) {
  const { org: orgSlug } = await params;
  const caller = await pageCaller();
  const [org, members] = await loadOrFail(
    Promise.all([getOrgOverview(caller, orgSlug), listOrgMembers(caller, orgSlug)]),
  );
  return (
    <MembersPanel orgSlug={org.slug} members={members} seatsUsed={org.seatsUsed} seatLimit={org.seatLimit} />
  );
}
