"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

export type Place = {
  slug: string;
  name: string;
  role: string;
  teams: { slug: string; name: string; role: string | null }[];
};

function currentLabel(pathname: string, places: Place[]): string {
  const [first, second] = pathname.split("/").filter(Boolean);
  if (first === "org" && second) return places.find((p) => p.slug === second)?.name ?? second;
  for (const org of places) {
    const team = org.teams.find((t) => t.slug === first);
    if (team) return `${org.name} / ${team.slug}`;
  }
  return "";
}

/** Switches between the orgs and teams the person belongs to. */
export function PlaceSwitcher({ places }: { places: Place[] }) {
  const pathname = usePathname();
  if (places.length === 0) return null;
  const current = currentLabel(pathname, places);
  return (
    <DropdownMenu>
      {/* The accessible name holds the visible text (WCAG 2.5.3): what it does, then where you are. */}
      <DropdownMenuTrigger className="relative flex min-w-0 items-center gap-1 rounded-md px-2 py-1 text-sm whitespace-nowrap text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50">
        {current ? (
          <>
            <span className="sr-only">Switch organization or team, current: </span>
            <span className="truncate">{current}</span>
          </>
        ) : (
          <span className="truncate">
            Switch<span className="sr-only sm:not-sr-only"> organization or team</span>
          </span>
        )}
        <span aria-hidden="true">▾</span>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        {places.map((org, i) => (
          <div key={org.slug}>
            {i > 0 && <DropdownMenuSeparator />}
            <DropdownMenuLabel>{org.name}</DropdownMenuLabel>
            {org.role === "ADMIN" && (
              <DropdownMenuItem asChild>
                <Link href={`/org/${org.slug}`}>Org Dashboard</Link>
              </DropdownMenuItem>
            )}
            {org.teams.map((team) => (
              <DropdownMenuItem key={team.slug} asChild>
                <Link href={`/${team.slug}`}>{team.name}</Link>
              </DropdownMenuItem>
            ))}
            {org.teams.length === 0 && org.role !== "ADMIN" && (
              <DropdownMenuItem disabled>No teams yet</DropdownMenuItem>
            )}
          </div>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
