"use client";

import { useRouter } from "next/navigation";
import { ServiceAccountActionsMenu, type ManagedAccount } from "./service-account-actions-menu";

/** The actions menu on the detail page: after Delete, back to the list. */
export function DetailActions({
  account,
  listHref,
  maxKeyLifetimeDays,
}: {
  account: ManagedAccount;
  listHref: string;
  maxKeyLifetimeDays: number | null;
}) {
  const router = useRouter();
  return (
    <ServiceAccountActionsMenu
      account={account}
      maxKeyLifetimeDays={maxKeyLifetimeDays}
      onDeleted={() => router.push(listHref)}
    />
  );
}
