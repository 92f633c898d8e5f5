// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WebAssembly database drivers are loaded by Node at run time, not bundled.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/client",
    "pg",
    "@prisma/adapter-pg",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
};

export default nextConfig;
