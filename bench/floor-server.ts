// The floor for this stack: node:http + better-sqlite3 doing exactly the credential work of
// GET /api/v1/viewer — parse the Bearer key, check its checksum, one indexed lookup by key id,
// a constant-time hash comparison — and nothing else. Usage: floor-server.ts <db file> <port>
import http from "node:http";
import Database from "better-sqlite3";
import { parseApiKey, secretMatches } from "../lib/keys/format";

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
const lookup = db.prepare<[string], { secretHash: string; id: string; name: string }>(
  'SELECT id, name, secretHash FROM "ApiKey" WHERE keyId = ?',
);

http
  .createServer((req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const parsed = parseApiKey(token);
    const row = parsed ? lookup.get(parsed.keyId) : undefined;
    if (!parsed || !row || !secretMatches(parsed.secret, row.secretHash)) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":{"code":"invalid_credential"}}');
      return;
    }
    const body = JSON.stringify({ credential: { id: row.id, name: row.name } });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  })
  .listen(Number(port), () => console.log("floor ready"));
