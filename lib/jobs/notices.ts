// Rule 29's notices, which no request triggers: a key expiring in 30, 7 and 1 days, a key that
// expired, an account unused for 90 days, an account whose owner left. Each is sent once per
// subject and threshold: a NoticeSent row is written in the same transaction as its deliveries,
// so neither a restart nor a second instance sends it again.
import type { Tx } from "@/lib/db";
import { enqueueWebhookEvent } from "@/lib/audit/outbox";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import type { KeyNotice } from "@/lib/mail/key-notices";

const DAY_MS = 86_400_000;
export const EXPIRY_THRESHOLDS = [30, 7, 1] as const;
const UNUSED_DAYS = 90;
/** Subjects looked at per notice kind per run: a backlog is worked off over a few runs. */
const BATCH = 200;

/** Claims a notice: true when this transaction is the first to send it. */
async function claim(tx: Tx, kind: string, subjectId: string): Promise<boolean> {
  const inserted =
    await tx.$executeRaw`INSERT INTO "NoticeSent" ("kind", "subjectId", "sentAt") VALUES (${kind}, ${subjectId}, ${new Date()}) ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

type AccountFacts = { id: string; name: string; orgId: string; org: { slug: string } };

function accountData(account: AccountFacts) {
  return {
    id: account.id,
    name: account.name,
    identity: serviceAccountIdentity(account.name, account.org.slug),
  };
}

/**
 * Sends the notices due now, inside the jobs' transaction; answers how many, and the key notices
 * to mail once it commits.
 */
export async function sendDueNotices(tx: Tx, now = new Date()): Promise<{ sent: number; mail: KeyNotice[] }> {
  let sent = 0;
  const mail: KeyNotice[] = [];
  const accountSelect = { id: true, name: true, orgId: true, org: { select: { slug: true } } } as const;
  const expiring = await tx.apiKey.findMany({
    where: {
      revokedAt: null,
      replacedById: null,
      expiresAt: { gt: now, lte: new Date(now.getTime() + EXPIRY_THRESHOLDS[0] * DAY_MS) },
      serviceAccount: { deletedAt: null },
    },
    orderBy: { expiresAt: "asc" },
    take: BATCH,
    select: { id: true, name: true, last4: true, expiresAt: true, serviceAccount: { select: accountSelect } },
  });
  for (const key of expiring) {
    const daysLeft = Math.ceil((key.expiresAt!.getTime() - now.getTime()) / DAY_MS);
    // The smallest threshold reached; the larger ones it passed are claimed too, unsent (a key
    // made with 5 days to live gets the 7-day notice only).
    const due = [...EXPIRY_THRESHOLDS].reverse().find((t) => daysLeft <= t)!;
    let fresh = false;
    for (const t of EXPIRY_THRESHOLDS.filter((t) => t >= due)) {
      if ((await claim(tx, `api_key.expiring:${t}`, key.id)) && t === due) fresh = true;
    }
    if (!fresh) continue;
    const account = key.serviceAccount!;
    await enqueueWebhookEvent(tx, account.orgId, "api_key.expiring", {
      daysLeft: due,
      expiresAt: key.expiresAt!.toISOString(),
      key: { id: key.id, name: key.name, masked: `dpt_…${key.last4}` },
      serviceAccount: accountData(account),
    });
    mail.push({
      kind: "expiring",
      orgId: account.orgId,
      accountId: account.id,
      accountIdentity: accountData(account).identity,
      keyName: key.name,
      last4: key.last4,
      daysLeft: due,
    });
    sent += 1;
  }

  const expired = await tx.apiKey.findMany({
    where: {
      revokedAt: null,
      expiresAt: { lte: now, gt: new Date(now.getTime() - 30 * DAY_MS) },
      serviceAccount: { deletedAt: null },
    },
    take: BATCH,
    select: { id: true, name: true, last4: true, expiresAt: true, serviceAccount: { select: accountSelect } },
  });
  for (const key of expired) {
    if (!(await claim(tx, "api_key.expired", key.id))) continue;
    const account = key.serviceAccount!;
    await enqueueWebhookEvent(tx, account.orgId, "api_key.expired", {
      expiredAt: key.expiresAt!.toISOString(),
      key: { id: key.id, name: key.name, masked: `dpt_…${key.last4}` },
      serviceAccount: accountData(account),
    });
    mail.push({
      kind: "expired",
      orgId: account.orgId,
      accountId: account.id,
      accountIdentity: accountData(account).identity,
      keyName: key.name,
      last4: key.last4,
    });
    sent += 1;
  }

  const idleSince = new Date(now.getTime() - UNUSED_DAYS * DAY_MS);
  const unused = await tx.serviceAccount.findMany({
    where: {
      deletedAt: null,
      status: "ACTIVE",
      createdAt: { lte: idleSince },
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: idleSince } }],
    },
    take: BATCH,
    select: { ...accountSelect, lastUsedAt: true },
  });
  for (const account of unused) {
    // Once per stretch of idleness: a use in between makes a new subject.
    const subject = `${account.id}:${account.lastUsedAt?.toISOString() ?? "never"}`;
    if (!(await claim(tx, "service_account.unused", subject))) continue;
    await enqueueWebhookEvent(tx, account.orgId, "service_account.unused", {
      serviceAccount: accountData(account),
      lastUsedAt: account.lastUsedAt?.toISOString() ?? null,
      days: UNUSED_DAYS,
    });
    sent += 1;
  }

  const orphaned = await tx.serviceAccount.findMany({
    where: { deletedAt: null, ownerUserId: { not: null } },
    take: BATCH * 5,
    select: {
      ...accountSelect,
      ownerUserId: true,
      owner: { select: { email: true, orgMemberships: { select: { orgId: true } } } },
    },
  });
  for (const account of orphaned) {
    if (!account.owner || account.owner.orgMemberships.some((m) => m.orgId === account.orgId)) continue;
    if (!(await claim(tx, "service_account.owner_left", `${account.id}:${account.ownerUserId}`))) continue;
    await enqueueWebhookEvent(tx, account.orgId, "service_account.owner_left", {
      serviceAccount: accountData(account),
      owner: account.owner.email,
    });
    sent += 1;
  }
  return { sent, mail };
}
