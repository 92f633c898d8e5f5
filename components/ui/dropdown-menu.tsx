"use client";

import * as RadixMenu from "@radix-ui/react-dropdown-menu";
import type { ComponentProps } from "react";
import { cn } from "./cn";

/**
 * Menus are non-modal: a modal Radix menu hides the rest of the page from assistive technology
 * with aria-hidden while its focusable elements stay focusable (axe: aria-hidden-focus). The menu
 * still closes on Escape and on an outside click, and arrow keys still move within it.
 */
export function DropdownMenu(props: ComponentProps<typeof RadixMenu.Root>) {
  return <RadixMenu.Root modal={false} {...props} />;
}
export const DropdownMenuTrigger = RadixMenu.Trigger;

export function DropdownMenuContent({ className, ...props }: ComponentProps<typeof RadixMenu.Content>) {
  return (
    <RadixMenu.Portal>
      <RadixMenu.Content
        align="end"
        sideOffset={4}
        className={cn("z-50 min-w-44 rounded-md bg-white p-1 shadow-lg ring-1 ring-slate-200", className)}
        {...props}
      />
    </RadixMenu.Portal>
  );
}

export function DropdownMenuItem({
  className,
  destructive,
  ...props
}: ComponentProps<typeof RadixMenu.Item> & { destructive?: boolean }) {
  return (
    <RadixMenu.Item
      className={cn(
        "flex cursor-pointer select-none items-center rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100 data-[disabled]:opacity-50",
        destructive ? "text-red-700" : "text-slate-800",
        className,
      )}
      {...props}
    />
  );
}

export const DropdownMenuLabel = (props: ComponentProps<typeof RadixMenu.Label>) => (
  <RadixMenu.Label
    className="px-2 py-1 text-xs font-semibold uppercase tracking-wide text-slate-500"
    {...props}
  />
);
export const DropdownMenuSeparator = () => <RadixMenu.Separator className="my-1 h-px bg-slate-200" />;
