// Notice e-mails (SPEC rule 30): with DEPUTY_SMTP_URL set, expiring, expired and leaked keys are
// mailed to the account's owner (while a member of the org) and the org's admins, once per key per
// notice — sent after the transaction that claimed the notice commits, so a failed send is logged
// and not retried (at most once). A mail names the key by its last four characters: never a whole
// key, hash or token. nodemailer does the SMTP.
import nodemailer from "nodemailer";
import { db } from "@/lib/db";
import { config } from "@/lib/config/env";
import { logError } from "@/lib/ops/log";

export type KeyNotice = {
  kind: "expiring" | "expired" | "leaked";
  orgId: string;
  accountId: string;
  accountIdentity: string;
  keyName: string;
  last4: string;
  daysLeft?: number;
  foundAt?: string | null;
};

let transport: nodemailer.Transporter | null = null;

function mailer(): nodemailer.Transporter | null {
  const url = config().smtpUrl;
  if (!url) return null;
  transport ??= nodemailer.createTransport(url);
  return transport;
}

function subjectOf(n: KeyNotice): string {
  const key = `${n.keyName} (dpt_…${n.last4}) of ${n.accountIdentity}`;
  if (n.kind === "expiring")
    return `API key ${key} expires in ${n.daysLeft} day${n.daysLeft === 1 ? "" : "s"}`;
  if (n.kind === "expired") return `API key ${key} has expired`;
  return `API key ${key} was reported as leaked and revoked`;
}

function textOf(n: KeyNotice): string {
  const what =
    n.kind === "expiring"
      ? "Rotate it before it expires: jobs using it will be refused afterwards."
      : n.kind === "expired"
        ? "Jobs using it are refused now. Create or rotate a key if it is still needed."
        : `It was found${n.foundAt ? ` at ${n.foundAt}` : ""} and revoked at once. Replace it in the jobs that used it, and acknowledge the leak in Deputy.`;
  return `${subjectOf(n)}.\n\n${what}\n\n${config().publicUrl}\n`;
}

/** Who gets a notice: the account's owner while a member of the org, and the org's admins. */
async function recipients(n: KeyNotice): Promise<string[]> {
  const [admins, account] = await Promise.all([
    db.orgMembership.findMany({
      where: { orgId: n.orgId, role: "ADMIN" },
      select: { user: { select: { email: true } } },
    }),
    db.serviceAccount.findUnique({
      where: { id: n.accountId },
      select: {
        owner: {
          select: { email: true, orgMemberships: { where: { orgId: n.orgId }, select: { id: true } } },
        },
      },
    }),
  ]);
  const owner = account?.owner && account.owner.orgMemberships.length > 0 ? [account.owner.email] : [];
  return [...new Set([...owner, ...admins.map((a) => a.user.email)])];
}

/** Mails each notice; never throws (a failure is logged: the notice was already claimed once). */
export async function mailKeyNotices(notices: KeyNotice[]): Promise<number> {
  const transporter = mailer();
  if (!transporter || notices.length === 0) return 0;
  let sent = 0;
  for (const notice of notices) {
    try {
      const to = await recipients(notice);
      if (to.length === 0) continue;
      await transporter.sendMail({
        from: config().mailFrom,
        to,
        subject: subjectOf(notice),
        text: textOf(notice),
      });
      sent += 1;
    } catch (error) {
      logError("Could not send a notice e-mail", error);
    }
  }
  return sent;
}
