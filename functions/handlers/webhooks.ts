import { listDeliveries, pingSubscription, retryDelivery } from '../core/webhooks/deliveries.ts';
import {
  createSubscription,
  deleteSubscription,
  listSubscriptions,
  ownedSubscription,
  rotateSecret,
  type ScopeRequest,
  updateSubscription,
} from '../core/webhooks/subscriptions.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { pagedResponse, storeData } from '../http/views.ts';
import {
  deliveryView,
  storeDeliveryView,
  storePagination,
  storeSubscriptionView,
  subscriptionView,
} from '../http/webhook-views.ts';
import { WEBHOOKS_API } from '../http/webhooks-api.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';
import { webhookDeps as deps } from '../wiring/webhooks.ts';

const CONNECT = '/{projectKey}/webhooks';
const ONE = `${CONNECT}/{webhookId}`;
const STORE = '/stores/{store_hash}/v3/infrastructure/webhooks';
const STORE_ONE = `${STORE}/{webhook_uuid}`;
/** What made a secret must not be kept by a cache on the way back. */
const NO_STORE = { 'cache-control': 'no-store' };

type Params = Record<string, string>;
const project = (p: Params): ScopeRequest => ({ projectKey: p.projectKey ?? '' });
const STORE_SCOPE: ScopeRequest = 'store';

/**
 * Webhook subscriptions and their deliveries, in both dialects: the Connect routes scope a
 * subscription to a project, the BigCommerce routes to the store. One set of use cases
 * (functions/core/webhooks/); only the envelopes and spellings differ.
 */
export const handler = apiHandler(
  {
    [`POST ${CONNECT}`]: operation({
      ...schemasOf(WEBHOOKS_API, `POST ${CONNECT}`),
      run: async ({ body, pathParameters, principal }) => {
        const made = await createSubscription(deps, principal().tenant, project(pathParameters), body);
        return json(201, subscriptionView(made.subscription, made.secret), NO_STORE);
      },
    }),
    [`GET ${CONNECT}`]: operation({
      ...schemasOf(WEBHOOKS_API, `GET ${CONNECT}`),
      run: async ({ query, pathParameters, principal }) => {
        const page = await listSubscriptions(deps, principal().tenant, project(pathParameters), query);
        return json(
          200,
          pagedResponse(query, page, (s) => subscriptionView(s)),
        );
      },
    }),
    [`GET ${ONE}`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          200,
          subscriptionView(await ownedSubscription(deps, principal().tenant, project(p), p.webhookId ?? '')),
        ),
    }),
    [`POST ${ONE}`]: operation({
      ...schemasOf(WEBHOOKS_API, `POST ${ONE}`),
      run: async ({ body, pathParameters: p, principal }) =>
        json(
          200,
          subscriptionView(
            await updateSubscription(deps, principal().tenant, project(p), p.webhookId ?? '', body),
          ),
        ),
    }),
    [`DELETE ${ONE}`]: operation({
      ...schemasOf(WEBHOOKS_API, `DELETE ${ONE}`),
      run: async ({ query, pathParameters: p, principal }) =>
        json(
          200,
          subscriptionView(
            await deleteSubscription(deps, principal().tenant, project(p), p.webhookId ?? '', query.version),
          ),
        ),
    }),
    [`POST ${ONE}/rotate-secret`]: operation({
      run: async ({ pathParameters: p, principal }) => {
        const rotated = await rotateSecret(deps, principal().tenant, project(p), p.webhookId ?? '');
        return json(200, subscriptionView(rotated.subscription, rotated.secret), NO_STORE);
      },
    }),
    [`GET ${ONE}/deliveries`]: operation({
      ...schemasOf(WEBHOOKS_API, `GET ${ONE}/deliveries`),
      run: async ({ query, pathParameters: p, principal }) => {
        const page = await listDeliveries(deps, principal().tenant, project(p), p.webhookId ?? '', query);
        return json(200, pagedResponse(query, page, deliveryView));
      },
    }),
    [`POST ${ONE}/deliveries/{deliveryId}/retry`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          202,
          deliveryView(
            await retryDelivery(deps, principal().tenant, project(p), p.webhookId ?? '', p.deliveryId ?? ''),
          ),
        ),
    }),
    [`POST ${ONE}/ping`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          202,
          deliveryView(await pingSubscription(deps, principal().tenant, project(p), p.webhookId ?? '')),
        ),
    }),

    [`POST ${STORE}`]: operation({
      ...schemasOf(WEBHOOKS_API, `POST ${STORE}`),
      run: async ({ body, principal }) => {
        const made = await createSubscription(deps, principal().tenant, STORE_SCOPE, body);
        return json(200, storeData(storeSubscriptionView(made.subscription, made.secret)), NO_STORE);
      },
    }),
    [`GET ${STORE}`]: operation({
      ...schemasOf(WEBHOOKS_API, `GET ${STORE}`),
      run: async ({ query, principal }) => {
        const offset = (query.page - 1) * query.limit;
        const page = await listSubscriptions(deps, principal().tenant, STORE_SCOPE, {
          limit: query.limit,
          offset,
        });
        const views = page.results.map((s) => storeSubscriptionView(s));
        return json(
          200,
          storeData(views, storePagination(page.total ?? 0, views.length, query.page, query.limit)),
        );
      },
    }),
    [`GET ${STORE_ONE}`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          200,
          storeData(
            storeSubscriptionView(
              await ownedSubscription(deps, principal().tenant, STORE_SCOPE, p.webhook_uuid ?? ''),
            ),
          ),
        ),
    }),
    [`PUT ${STORE_ONE}`]: operation({
      ...schemasOf(WEBHOOKS_API, `PUT ${STORE_ONE}`),
      run: async ({ body: { is_active, ...changes }, pathParameters: p, principal }) => {
        const updated = await updateSubscription(
          deps,
          principal().tenant,
          STORE_SCOPE,
          p.webhook_uuid ?? '',
          {
            ...changes,
            ...(is_active === undefined ? {} : { active: is_active }),
          },
        );
        return json(200, storeData(storeSubscriptionView(updated)));
      },
    }),
    [`DELETE ${STORE_ONE}`]: operation({
      run: async ({ pathParameters: p, principal }) => {
        await deleteSubscription(deps, principal().tenant, STORE_SCOPE, p.webhook_uuid ?? '');
        return { statusCode: 204 };
      },
    }),
    [`POST ${STORE_ONE}/rotate-secret`]: operation({
      run: async ({ pathParameters: p, principal }) => {
        const rotated = await rotateSecret(deps, principal().tenant, STORE_SCOPE, p.webhook_uuid ?? '');
        return json(200, storeData(storeSubscriptionView(rotated.subscription, rotated.secret)), NO_STORE);
      },
    }),
    [`GET ${STORE_ONE}/deliveries`]: operation({
      ...schemasOf(WEBHOOKS_API, `GET ${STORE_ONE}/deliveries`),
      run: async ({ query, pathParameters: p, principal }) => {
        const page = await listDeliveries(deps, principal().tenant, STORE_SCOPE, p.webhook_uuid ?? '', {
          limit: query.limit,
          offset: (query.page - 1) * query.limit,
        });
        const views = page.results.map(storeDeliveryView);
        return json(
          200,
          storeData(views, storePagination(page.total ?? 0, views.length, query.page, query.limit)),
        );
      },
    }),
    [`POST ${STORE_ONE}/deliveries/{delivery_uuid}/retry`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          202,
          storeData(
            storeDeliveryView(
              await retryDelivery(
                deps,
                principal().tenant,
                STORE_SCOPE,
                p.webhook_uuid ?? '',
                p.delivery_uuid ?? '',
              ),
            ),
          ),
        ),
    }),
    [`POST ${STORE_ONE}/ping`]: operation({
      run: async ({ pathParameters: p, principal }) =>
        json(
          202,
          storeData(
            storeDeliveryView(
              await pingSubscription(deps, principal().tenant, STORE_SCOPE, p.webhook_uuid ?? ''),
            ),
          ),
        ),
    }),
  },
  [],
  pipelineDeps,
);
