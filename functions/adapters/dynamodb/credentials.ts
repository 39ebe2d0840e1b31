import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiClient, CredentialRepository, StoreToken } from '../../core/auth/ports.ts';
import { documentClient } from './client.ts';
import { unlessConditionFails } from './errors.ts';
import { keys } from './keys.ts';
import { pagedQuery, queryAll } from './pager.ts';
import { TABLE_SCHEMA } from './schema.ts';

const TTL = TABLE_SCHEMA.timeToLiveAttribute;

const clientFromItem = (item: Record<string, unknown>): ApiClient => ({
  clientId: String(item.clientId),
  tenant: String(item.tenant),
  name: String(item.name),
  scopes: (item.scopes as string[]) ?? [],
  secretHash: String(item.secretHash),
  createdAt: String(item.createdAt),
  ...(typeof item.accessTokenValiditySeconds === 'number'
    ? { accessTokenValiditySeconds: item.accessTokenValiditySeconds }
    : {}),
  ...(typeof item.deleteAt === 'string' ? { deleteAt: item.deleteAt } : {}),
  ...(typeof item.lastUsedAt === 'string' ? { lastUsedAt: item.lastUsedAt } : {}),
});

const storeTokenFromItem = (item: Record<string, unknown>): StoreToken => ({
  id: String(item.id),
  tenant: String(item.tenant),
  name: String(item.name),
  scopes: (item.scopes as string[]) ?? [],
  tokenHash: String(item.tokenHash),
  createdAt: String(item.createdAt),
});

const epochSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

/**
 * Credentials in the single table. Clients are items of their own (`CLIENT#<id>`) listed per
 * tenant through GSI1; store tokens are found by their hash (`STORETOKEN#<sha256>`) and listed
 * per store through GSI1; a revoked token is a `REVOKEDTOKEN#<jti>` item that DynamoDB's TTL
 * removes once the token would have expired anyway, as it removes clients past their `deleteAt`.
 * What authentication reads is read strongly consistent, so a revocation holds on the next request.
 */
export const dynamoCredentialRepository = (tableName: () => string): CredentialRepository => {
  const listStoreTokens = async (tenant: string): Promise<StoreToken[]> => {
    const items = await queryAll({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :p',
      ExpressionAttributeValues: { ':p': keys.storeTokensPartition(tenant) },
    });
    return items.map(storeTokenFromItem);
  };

  return {
    async putClient(client) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.client(client.clientId),
            ...keys.clientByTenant(client.tenant, client.createdAt, client.clientId),
            type: 'ApiClient',
            ...client,
            ...(client.deleteAt ? { [TTL]: epochSeconds(client.deleteAt) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    },

    async getClient(clientId) {
      const out = await documentClient.send(
        new GetCommand({ TableName: tableName(), Key: keys.client(clientId), ConsistentRead: true }),
      );
      return out.Item ? clientFromItem(out.Item) : undefined;
    },

    listClients(tenant, page) {
      const partition = keys.clientsPartition(tenant);
      return pagedQuery(
        {
          input: {
            TableName: tableName(),
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :p',
            // Past its deleteAt a client is gone, though DynamoDB's TTL may take a while to remove it.
            FilterExpression: 'attribute_not_exists(deleteAt) OR deleteAt > :now',
            ExpressionAttributeValues: { ':p': partition, ':now': new Date().toISOString() },
          },
          partitionAttr: 'GSI1PK',
          partitionValue: partition,
        },
        page,
        clientFromItem,
      );
    },

    async deleteClient(tenant, clientId) {
      const deleted = await unlessConditionFails(() =>
        documentClient.send(
          new DeleteCommand({
            TableName: tableName(),
            Key: keys.client(clientId),
            ConditionExpression: 'tenant = :t',
            ExpressionAttributeValues: { ':t': tenant },
          }),
        ),
      );
      return deleted !== undefined;
    },

    async setClientSecretHash(clientId, secretHash) {
      const updated = await unlessConditionFails(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.client(clientId),
            UpdateExpression: 'SET secretHash = :h',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':h': secretHash },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      const item = updated?.Attributes;
      // A client made before clients were listed per tenant joins its tenant's listing.
      if (item && item.GSI1PK === undefined) {
        const client = clientFromItem(item);
        const { GSI1PK, GSI1SK } = keys.clientByTenant(client.tenant, client.createdAt, clientId);
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.client(clientId),
            UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk',
            ExpressionAttributeValues: { ':pk': GSI1PK, ':sk': GSI1SK },
          }),
        );
      }
      return item !== undefined;
    },

    async markClientUsed(clientId, day) {
      await unlessConditionFails(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.client(clientId),
            UpdateExpression: 'SET lastUsedAt = :d',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':d': day },
          }),
        ),
      );
    },

    async tokenStanding(clientId, tokenId) {
      const [client, revoked] = await Promise.all([
        documentClient.send(
          new GetCommand({ TableName: tableName(), Key: keys.client(clientId), ConsistentRead: true }),
        ),
        documentClient.send(
          new GetCommand({
            TableName: tableName(),
            Key: keys.revokedToken(tokenId),
            ConsistentRead: true,
            ProjectionExpression: 'PK',
          }),
        ),
      ]);
      return { ...(client.Item ? { client: clientFromItem(client.Item) } : {}), revoked: !!revoked.Item };
    },

    async revokeToken(tokenId, expiresAt) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.revokedToken(tokenId),
            type: 'RevokedToken',
            revokedAt: new Date().toISOString(),
            [TTL]: Math.ceil(expiresAt.getTime() / 1000),
          },
        }),
      );
    },

    async putStoreToken(token) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.storeToken(token.tokenHash),
            ...keys.storeTokenByTenant(token.tenant, token.createdAt, token.id),
            type: 'StoreToken',
            ...token,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    },

    async getStoreTokenByHash(tokenHash) {
      const out = await documentClient.send(
        new GetCommand({ TableName: tableName(), Key: keys.storeToken(tokenHash), ConsistentRead: true }),
      );
      return out.Item ? storeTokenFromItem(out.Item) : undefined;
    },

    listStoreTokens,

    async deleteStoreToken(token) {
      const deleted = await unlessConditionFails(() =>
        documentClient.send(
          new DeleteCommand({
            TableName: tableName(),
            Key: keys.storeToken(token.tokenHash),
            ConditionExpression: 'tenant = :t',
            ExpressionAttributeValues: { ':t': token.tenant },
          }),
        ),
      );
      return deleted !== undefined;
    },
  };
};
