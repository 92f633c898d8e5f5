// Audit log → Export: the filtered events as CSV or JSON Lines, streamed page by page (1,000
// events at a time), so an export of a million events never holds them all in memory. A page that
// fails after the first byte cuts the download off as failed (lib/audit/export.ts).
import { requireActionCaller } from "@/lib/auth/session";
import { AppError, httpErrorOf } from "@/lib/errors";
import { auditQueryOf, type AuditFilterParams } from "@/lib/audit/filters";
import { allAuditEvents } from "@/lib/audit/query";
import { auditExportStream } from "@/lib/audit/export";

export async function GET(request: Request, { params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const search = new URL(request.url).searchParams;
  const format = search.get("format");
  const filters: AuditFilterParams = Object.fromEntries(
    ["actorType", "action", "from", "to", "q"].map((name) => [name, search.get(name) ?? undefined]),
  );
  const query = auditQueryOf(filters);
  try {
    if (format !== "csv" && format !== "jsonl") {
      throw new AppError("INVALID", "Choose format=csv or format=jsonl.");
    }
    const caller = await requireActionCaller();
    // Reads the first page (authorising and validating) before the first byte, so a refusal is a
    // status, not a cut stream.
    const stream = await auditExportStream(format, allAuditEvents(caller, org, query), { label: org });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(stream, {
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="audit-${org}-${day}.${format}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof AppError) {
      return new Response(`${error.message}\n`, {
        status: httpErrorOf(error).status,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    }
    throw error;
  }
}
