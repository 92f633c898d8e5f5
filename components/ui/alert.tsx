import type { ReactNode } from "react";
import { cn } from "./cn";

/** An inline message; errors are announced to screen readers as alerts. */
export function Alert({
  tone = "error",
  children,
}: {
  tone?: "error" | "success" | "info" | "warning";
  children: ReactNode;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn(
        "rounded-md px-3 py-2 text-sm",
        tone === "error" && "bg-red-50 text-red-800 ring-1 ring-red-200",
        tone === "success" && "bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200",
        tone === "info" && "bg-slate-50 text-slate-700 ring-1 ring-slate-200",
        tone === "warning" && "bg-amber-50 text-amber-900 ring-1 ring-amber-200",
      )}
    >
      {children}
    </div>
  );
}
