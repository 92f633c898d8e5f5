import type { Caller } from "@/lib/auth/caller";
import { requirePageUser } from "@/lib/auth/session";
import { requestSource } from "@/lib/request-context";

/** For pages: the signed-in caller (or a redirect to sign in and back). */
export async function pageCaller(): Promise<Caller> {
  const user = await requirePageUser();
  return { user: { id: user.id, email: user.email, name: user.name }, ...(await requestSource()) };
}
