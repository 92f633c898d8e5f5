// The floor for this stack: node:http + the engine's driver doing exactly the credential work of
// GET /api/v1/viewer — parse the Bearer key, check its checksum, one indexed lookup by key id, a
// constant-time hash comparison — and nothing else. Usage: floor-server.ts <DATABASE_URL> <port>
// (a file: URL for better-sqlite3, a postgresql:// URL for pg with a named prepared statement).
import http from "node:http";
import Database from "better-sqlite3";
import pg from "pg";
import { parseApiKey, secretMatches } from "../lib/keys/format";

type Row = { secretHash: string; id: string; name: string };
const [url, port] = process.argv.slice(2) as [string, string];

let lookup: (keyId: string) => Promise<Row | undefined>;
if (url.startsWith("postgres")) {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const text = 'SELECT id, name, "secretHash" FROM "ApiKey" WHERE "keyId" = $1';
  lookup = async (keyId) =>
    (await pool.query<Row>({ name: "floor_find_key", text, values: [keyId] })).rows[0];
} else {
  const db = new Database(url.replace(/^file:/, ""), { readonly: true });
  const statement = db.prepare<[string], Row>('SELECT id, name, secretHash FROM "ApiKey" WHERE keyId = ?');
  lookup = (keyId) => Promise.resolve(statement.get(keyId));
}

function refuse(res: http.ServerResponse) {
  res.writeHead(401, { "content-type": "application/json" });
  res.end('{"error":{"code":"invalid_credential"}}');
}

http
  .createServer((req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const parsed = parseApiKey(token);
    if (!parsed) return refuse(res);
    lookup(parsed.keyId).then(
      (row) => {
        if (!row || !secretMatches(parsed.secret, row.secretHash)) return refuse(res);
        const body = JSON.stringify({ credential: { id: row.id, name: row.name } });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  })
  .listen(Number(port), () => console.log("floor ready"));
