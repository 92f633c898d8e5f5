"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { createWebhookFromForm } from "./console";
import { deleteWebhook, resendDelivery, sendTestEvent, updateWebhook } from "./endpoints";

// Each action authenticates and authorises itself (org admins of the org it names).

/** Add endpoint: answers the endpoint and its signing secret (shown once). */
export async function createWebhookAction(orgSlug: unknown, input: unknown) {
  return runAction(async () => createWebhookFromForm(await requireActionCaller(), orgSlug, input));
}

export async function setWebhookStatusAction(orgSlug: unknown, id: unknown, status: unknown) {
  return runAction(async () =>
    updateWebhook(await requireActionCaller(), orgSlug as string, id, {
      status: status as "active" | "disabled",
    }),
  );
}

export async function deleteWebhookAction(orgSlug: unknown, id: unknown) {
  return runAction(async () => deleteWebhook(await requireActionCaller(), orgSlug as string, id));
}

export async function sendTestEventAction(orgSlug: unknown, id: unknown) {
  return runAction(async () => sendTestEvent(await requireActionCaller(), orgSlug as string, id));
}

export async function resendDeliveryAction(orgSlug: unknown, id: unknown, deliveryId: unknown) {
  return runAction(async () =>
    resendDelivery(await requireActionCaller(), orgSlug as string, id, deliveryId),
  );
}
