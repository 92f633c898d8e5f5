import { WebhooksPanel } from "@/components/org/webhooks-panel";
import { listWebhooks } from "@/lib/webhooks/endpoints";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Webhooks" };

export default async function OrgWebhooksPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const webhooks = await loadOrFail(listWebhooks(await pageCaller(), org));
  return <WebhooksPanel orgSlug={org} webhooks={webhooks} />;
}
