// A local OpenID issuer for federation tests: node:http serving discovery and a JWKS, tokens
// minted with jose in RS256 or ES256, key rotation, and a count of key-set fetches.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from "jose";

type SigningKey = { kid: string; alg: "RS256" | "ES256"; privateKey: CryptoKey; publicJwk: JWK };

async function makeKey(kid: string, alg: "RS256" | "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** `host`: the loopback address to serve on (any of 127.0.0.0/8). */
export async function startLocalIssuer(options: { host?: string } = {}) {
  const host = options.host ?? "127.0.0.1";
  let keys: SigningKey[] = [await makeKey("rsa-1", "RS256"), await makeKey("ec-1", "ES256")];
  let jwksFetches = 0;
  let discoveryIssuer: string | null = null;
  const server = http.createServer((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ issuer: discoveryIssuer ?? issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === "/jwks") {
      jwksFetches += 1;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    } else if (req.url === "/moved-here") {
      res.writeHead(302, { location: "/jwks" }).end();
    } else if (req.url === "/moved-away") {
      // Same server, another host name: a redirect Deputy must not follow.
      res.writeHead(302, { location: issuer.replace("127.0.0.1", "localhost") + "/jwks" }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    get jwksFetches() {
      return jwksFetches;
    },
    /** The public keys as served, for forging tests (e.g. HS256 with the public key as secret). */
    publicKeys: () => keys.map((k) => k.publicJwk),
    /** Makes discovery name another issuer (a misconfigured provider). */
    lieAboutIssuer: (value: string | null) => (discoveryIssuer = value),
    /** Replaces the signing keys: tokens signed with the new key name a kid Deputy has not seen. */
    async rotate(kid = `rsa-${Date.now()}`) {
      keys = [await makeKey(kid, "RS256"), ...keys.slice(1)];
      return kid;
    },
    /** A token with sensible defaults (iss, aud deputy, iat now, exp in 10 min), overridable. */
    async mint(
      claims: JWTPayload = {},
      options: { alg?: "RS256" | "ES256"; kid?: string; lifetimeS?: number; iat?: number } = {},
    ) {
      const alg = options.alg ?? "RS256";
      const key = keys.find((k) => k.alg === alg)!;
      const iat = options.iat ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ aud: "deputy", sub: "repo:acme/models:ref:refs/heads/main", ...claims })
        .setProtectedHeader({ alg, kid: options.kid ?? key.kid, typ: "JWT" })
        .setIssuer(claims.iss ?? issuer)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (options.lifetimeS ?? 600))
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type LocalIssuer = Awaited<ReturnType<typeof startLocalIssuer>>;
