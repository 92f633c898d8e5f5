import type { ReactNode } from "react";
import { Time } from "./time";

export function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    // A focusable, named frame: on a narrow screen the table scrolls sideways in it, and a
    // keyboard user scrolls it with the arrow keys even when no cell holds a link (axe's
    // scrollable-region-focusable). `relative` keeps absolutely placed labels inside the frame.
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="relative overflow-x-auto rounded-lg ring-1 ring-slate-200 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
    >
      {/* data-table (globals.css): the first column stays in view when the frame scrolls sideways. */}
      <table className="data-table min-w-full divide-y divide-slate-200 bg-white text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col" className="px-4 py-2 text-left font-semibold text-slate-700">
                {/* A column without a visible heading (row menus, buttons) is still named for screen readers. */}
                {h === "" ? <span className="sr-only">Actions</span> : h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

/** The row a table shows when it has nothing to list, saying so in words. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="px-4 py-8 text-center text-slate-500">
        {/* On a phone the row is as wide as the table, wider than the frame: the words wrap
            within the frame's width and stay in view when it scrolls. */}
        <div className="sticky left-4 max-w-[calc(100vw-4rem)] sm:mx-auto">{children}</div>
      </td>
    </tr>
  );
}

export const Td = ({ children, className }: { children: ReactNode; className?: string }) => (
  <td className={className ?? "px-4 py-2 align-middle text-slate-800"}>{children}</td>
);

/** A moment's cell: "2026-11-25 09:14 UTC", the seconds in its title. */
export const TimestampTd = ({ value }: { value: Date }) => (
  <Td className="whitespace-nowrap px-4 py-2 text-xs text-slate-600">
    <Time value={value} />
  </Td>
);
