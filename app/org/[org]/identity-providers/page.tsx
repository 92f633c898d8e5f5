export const metadata = { title: "Identity providers" };

export default function OrgIdentityProvidersPage() {
  return (
    <section aria-labelledby="idp-heading">
      <h2 id="idp-heading" className="text-lg font-semibold">
        Identity providers
      </h2>
      <p className="mt-2 text-sm text-slate-600">
        Trusting your CI&apos;s identity provider (federated JWT exchange) is not built yet.
      </p>
    </section>
  );
}
