/** The webhooks' errors; each code's HTTP status is in functions/http/error-status.ts. */
import { AppError, ResourceNotFound } from '../shared/errors.ts';
import { MAX_SUBSCRIPTIONS_PER_TENANT } from './model.ts';

/** The URL cannot be delivered to: its scheme, its credentials, or the address it names. */
export class WebhookUrlNotAllowed extends AppError {
  override readonly name = 'WebhookUrlNotAllowed';
  constructor(why: string) {
    super('WebhookUrlNotAllowed', `The webhook URL ${why}.`, {
      field: 'url',
      detailedErrorMessage: `url: ${why}`,
    });
  }
}

/** commercetools' quota error, naming webhook subscriptions. */
export class WebhookLimitExceeded extends AppError {
  override readonly name = 'WebhookLimitExceeded';
  constructor() {
    super(
      'MaxResourceLimitExceeded',
      `The tenant's quota of ${MAX_SUBSCRIPTIONS_PER_TENANT} webhook subscriptions is reached: delete one to make another.`,
      { exceededResource: 'webhook', limit: MAX_SUBSCRIPTIONS_PER_TENANT },
    );
  }
}

export const subscriptionNotFound = (id: string) =>
  new ResourceNotFound(`The webhook subscription with id '${id}' was not found.`);

export const deliveryNotFound = (id: string) =>
  new ResourceNotFound(`The webhook delivery with id '${id}' was not found.`);
