import { WebhookEndpoint } from "@/components/org/webhook-endpoint";
import { getWebhook, listDeliveries } from "@/lib/webhooks/endpoints";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Webhook endpoint" };

export default async function WebhookEndpointPage({
  params,
}: {
  params: Promise<{ org: string; id: string }>;
}) {
  const { org, id } = await params;
  const caller = await pageCaller();
  const webhook = await loadOrFail(getWebhook(caller, org, decodeURIComponent(id)));
  const { deliveries } = await loadOrFail(listDeliveries(caller, org, webhook.id, { limit: 100 }));
  return <WebhookEndpoint orgSlug={org} webhook={webhook} deliveries={deliveries} />;
}
