// A real OpenID provider for the single sign-on tests: panva's oidc-provider on a loopback port,
// with its development login and consent pages (any login is accepted: the login is the email).
// Used by Vitest (walking the pages over HTTP, `authorize`) and by the browser suite (a person
// walks them in Chromium).
import http from "node:http";
import type { AddressInfo } from "node:net";

export const DEPUTY_CLIENT = { id: "deputy", secret: "deputy-client-secret-for-tests" };
export const OTHER_CLIENT = { id: "other-app", secret: "other-app-secret-for-tests" };

/** Logins starting with this get `email_verified: false`. */
export const UNVERIFIED_PREFIX = "unverified-";

export async function startOidcProvider(redirectUris: string[]) {
  const { default: Provider } = await import("oidc-provider");
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (c: { id: string; secret: string }) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: redirectUris,
    grant_types: ["authorization_code"],
    response_types: ["code" as const],
  });
  const provider = new Provider(issuer, {
    clients: [client(DEPUTY_CLIENT), client(OTHER_CLIENT)],
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        claims: () => ({
          sub: `sub-${id}`,
          email: id.replace(UNVERIFIED_PREFIX, ""),
          email_verified: !id.startsWith(UNVERIFIED_PREFIX),
          name: id.split("@")[0]!.replace(/[._-]+/g, " "),
        }),
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The provider's own pages: in a real deployment these are the company's sign-in.
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["oidc-provider-test-cookie-key"] },
  });
  const handle = provider.callback();
  server.on("request", (req, res) => void handle(req, res));

  /** Walks the login and consent pages over HTTP; answers the URL the browser would be sent back to. */
  async function authorize(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    let url = authorizationUrl;
    let body: string | undefined;
    for (let step = 0; step < 20; step += 1) {
      const response = await fetch(url, {
        method: body ? "POST" : "GET",
        body,
        redirect: "manual",
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
          ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
      });
      for (const set of response.headers.getSetCookie()) {
        const [pair = ""] = set.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const location = response.headers.get("location");
      body = undefined;
      if (location) {
        const next = new URL(location, url);
        if (next.origin !== issuer) return next;
        url = next.href;
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]+action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1] ?? "";
      if (!action)
        throw new Error(`The provider answered ${response.status} without a form: ${html.slice(0, 300)}`);
      url = new URL(action.replace(/&amp;/g, "&"), url).href;
      body = new URLSearchParams(
        prompt === "login" ? { prompt, login, password: "any" } : { prompt },
      ).toString();
    }
    throw new Error("The provider's pages did not lead back to Deputy.");
  }

  return {
    issuer,
    authorize,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
