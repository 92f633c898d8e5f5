import { redirect } from "next/navigation";
import { requirePageUser } from "@/lib/auth/session";
import { listPlacesOf } from "@/lib/orgs/places";
import { isSetUp } from "@/lib/orgs/setup";

export const dynamic = "force-dynamic";

/** Home: an empty instance goes to /setup; a person goes to their first team, else their org. */
export default async function Home() {
  if (!(await isSetUp())) redirect("/setup");
  const user = await requirePageUser();
  const places = await listPlacesOf(user.id);
  const firstMemberTeam = places.flatMap((o) => o.teams.filter((t) => t.role !== null))[0];
  if (firstMemberTeam) redirect(`/${firstMemberTeam.slug}`);
  const adminOrg = places.find((o) => o.role === "ADMIN");
  if (adminOrg) redirect(`/org/${adminOrg.slug}`);
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <h1 className="text-2xl font-semibold">You&apos;re not in a team yet</h1>
      <p className="mt-2 text-slate-600">Ask an admin of your organization to add you to a team.</p>
    </div>
  );
}
