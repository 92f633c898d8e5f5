import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requestPath, requestSource } from "@/lib/request-context";
import { authOptions } from "./options";
import type { Caller } from "./caller";

/** The signed-in person, read from the database (a deleted user has no session), or null. */
export async function getSessionUser(): Promise<Caller["user"] | null> {
  const session = await getServerSession(authOptions);
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return null;
  return db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } });
}

/** For pages: the signed-in person, or a redirect to /login that comes back here afterwards. */
export async function requirePageUser(): Promise<Caller["user"]> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(await requestPath())}`);
  return user;
}

/** For server actions: the caller, or UNAUTHENTICATED (an action is a public POST endpoint). */
export async function requireActionCaller(): Promise<Caller> {
  const user = await getSessionUser();
  if (!user) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  return { user, ...(await requestSource()) };
}
