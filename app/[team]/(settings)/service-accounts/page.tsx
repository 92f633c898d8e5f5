export const metadata = { title: "Service Accounts" };

export default function TeamServiceAccountsPage() {
  return (
    <section aria-labelledby="team-sa-heading">
      <h2 id="team-sa-heading" className="text-lg font-semibold">
        Service Accounts
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Managing this team&apos;s service accounts from the console is not built yet; it is the next piece of
        work.
      </p>
    </section>
  );
}
