"use client";

import type { ComponentProps } from "react";

/**
 * A filter select that applies itself: choosing an option submits its form at once when
 * JavaScript runs (the form's Apply button stays for the text fields, and for when it does not).
 */
export function AutoSubmitSelect(props: Omit<ComponentProps<"select">, "onChange">) {
  return <select {...props} onChange={(event) => event.currentTarget.form?.requestSubmit()} />;
}
