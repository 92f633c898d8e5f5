// The org's Settings tab: its name, seat limit and service-account limits.
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { ZOrgSettingsInput } from "./schemas";

/** The org's name and limits, for the Settings form. */
export async function getOrgSettings(caller: PersonPrincipal, orgSlug: string) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_settings");
  return db.organization.findUniqueOrThrow({
    where: { id: org.id },
    select: {
      slug: true,
      name: true,
      seatLimit: true,
      maxServiceAccounts: true,
      maxKeysPerAccount: true,
      maxKeyLifetimeDays: true,
    },
  });
}

/** Saves the Settings form, audited with what changed; a seat limit below the seats in use is refused. */
export async function updateOrgSettings(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_settings");
  const data = parseInput(ZOrgSettingsInput, input);
  await db.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({
      where: { id: org.id },
      select: {
        name: true,
        seatLimit: true,
        maxServiceAccounts: true,
        maxKeysPerAccount: true,
        maxKeyLifetimeDays: true,
      },
    });
    const used = await tx.orgMembership.count({ where: { orgId: org.id } });
    if (data.seatLimit < used) {
      throw new AppError(
        "CONFLICT",
        `${used} people hold seats now. Set at least ${used}, or remove members first.`,
        {
          seatLimit: `At least ${used}.`,
        },
      );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(before) as (keyof typeof before)[]) {
      if (before[key] !== data[key]) changes[key] = { from: before[key], to: data[key] };
    }
    if (Object.keys(changes).length === 0) return;
    await tx.organization.update({ where: { id: org.id }, data });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.settings_changed",
      target: { type: "organization", id: org.id, name: org.slug },
      metadata: { changes },
    });
  });
}
