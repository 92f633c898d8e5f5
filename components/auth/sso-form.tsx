import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

/**
 * Sign in with SSO: a plain form POST (it works without JavaScript), answered by a redirect to
 * the organization's identity provider, found by the email's domain.
 */
export function SsoForm({
  returnTo,
  error,
  email,
}: {
  returnTo: string;
  error: string | null;
  email: string;
}) {
  return (
    <form method="post" action="/api/sso/start" className="space-y-4">
      {error && <Alert>{error}</Alert>}
      <input type="hidden" name="callbackUrl" value={returnTo} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        autoFocus
        defaultValue={email}
        hint="Your work email: it tells Deputy which organization's identity provider to use."
      />
      <Button type="submit" className="w-full">
        Continue with SSO
      </Button>
      <p className="text-center text-sm">
        <Link
          href={`/login?callbackUrl=${encodeURIComponent(returnTo)}`}
          className="text-indigo-700 underline"
        >
          Sign in with a password instead
        </Link>
      </p>
    </form>
  );
}
