import Link from "next/link";
import { getSessionUser } from "@/lib/auth/session";
import { listPlacesOf } from "@/lib/orgs/places";
import { AccountMenu } from "./account-menu";
import { PlaceSwitcher } from "./place-switcher";
import { SignOutButton } from "./sign-out-button";

/**
 * The bar on every page: home, the org/team switcher and the signed-in person. It stays one line
 * at any width: below `sm` the switcher's label is cut short and the person collapses into a menu.
 */
export async function TopNav() {
  const user = await getSessionUser();
  const places = user ? await listPlacesOf(user.id) : [];
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-3 px-4 sm:gap-4 sm:px-6">
        <Link href="/" className="flex shrink-0 items-center gap-2 font-semibold text-slate-900">
          <span
            aria-hidden
            className="inline-block h-6 w-6 rounded bg-indigo-600 text-center text-sm leading-6 text-white"
          >
            D
          </span>
          Deputy
        </Link>
        {user && <PlaceSwitcher places={places} />}
        <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
          {user && (
            <div className="sm:hidden">
              <AccountMenu email={user.email} />
            </div>
          )}
          {user && (
            <div className="hidden items-center gap-3 sm:flex">
              <Link
                href="/account"
                className="text-slate-600 hover:text-slate-900"
                data-testid="signed-in-as"
                title="Your account and sessions"
              >
                {user.email}
              </Link>
              <SignOutButton />
            </div>
          )}
        </div>
      </div>
    </header>
  );
}
