import { headers } from "next/headers";
import { CLIENT_IP_HEADER, REQUEST_PATH_HEADER } from "./request-headers";

export async function requestSource(): Promise<{ ip: string | null; userAgent: string | null }> {
  const h = await headers();
  return { ip: h.get(CLIENT_IP_HEADER), userAgent: h.get("user-agent") };
}

export async function requestPath(): Promise<string> {
  return (await headers()).get(REQUEST_PATH_HEADER) ?? "/";
}
