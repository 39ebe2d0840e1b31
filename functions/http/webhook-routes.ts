/**
 * The webhooks' rows of the route table (`routes.ts`): the same nine routes in each dialect,
 * a project's subscriptions in Connect's and a store's in BigCommerce's. Connect updates with
 * POST (as its other resources), BigCommerce with PUT. docs/webhooks.md describes them.
 */

const BASES = {
  connect: ['/{projectKey}/webhooks', '{webhookId}', '{deliveryId}'],
  store: ['/stores/{store_hash}/v3/infrastructure/webhooks', '{webhook_uuid}', '{delivery_uuid}'],
} as const;

/** A row as `RouteDefinition` has it (not imported: routes.ts imports this module). */
interface WebhookRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  function: 'webhooks';
  scopes: readonly string[];
}

export const webhookRoutes = (
  dialect: keyof typeof BASES,
  manage: readonly string[],
  view: readonly string[],
): WebhookRoute[] => {
  const [base, id, delivery] = BASES[dialect];
  const rows: [WebhookRoute['method'], string, readonly string[]][] = [
    ['POST', '', manage],
    ['GET', '', view],
    ['GET', `/${id}`, view],
    [dialect === 'store' ? 'PUT' : 'POST', `/${id}`, manage],
    ['DELETE', `/${id}`, manage],
    ['POST', `/${id}/rotate-secret`, manage],
    ['GET', `/${id}/deliveries`, view],
    ['POST', `/${id}/deliveries/${delivery}/retry`, manage],
    ['POST', `/${id}/ping`, manage],
  ];
  return rows.map(([method, suffix, scopes]) => ({
    method,
    path: `${base}${suffix}`,
    function: 'webhooks',
    scopes,
  }));
};
