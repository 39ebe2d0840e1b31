import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiClient, CredentialRepository, StoreToken } from '../../core/auth/ports.ts';
import { documentClient } from './client.ts';
import { unlessConditionFails } from './errors.ts';
import { keys } from './keys.ts';

const clientFromItem = (item: Record<string, unknown>): ApiClient => ({
  clientId: String(item.clientId),
  tenant: String(item.tenant),
  name: String(item.name),
  scopes: (item.scopes as string[]) ?? [],
  secretHash: String(item.secretHash),
  createdAt: String(item.createdAt),
});

const storeTokenFromItem = (item: Record<string, unknown>): StoreToken => ({
  id: String(item.id),
  tenant: String(item.tenant),
  name: String(item.name),
  scopes: (item.scopes as string[]) ?? [],
  tokenHash: String(item.tokenHash),
  createdAt: String(item.createdAt),
});

export const dynamoCredentialRepository = (tableName: () => string): CredentialRepository => ({
  async putClient(client) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.client(client.clientId), type: 'ApiClient', ...client },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  },

  async getClient(clientId) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.client(clientId) }),
    );
    return out.Item ? clientFromItem(out.Item) : undefined;
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
        }),
      ),
    );
    return updated !== undefined;
  },

  async putStoreToken(token) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.storeToken(token.tokenHash), type: 'StoreToken', ...token },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  },

  async getStoreTokenByHash(tokenHash) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.storeToken(tokenHash) }),
    );
    return out.Item ? storeTokenFromItem(out.Item) : undefined;
  },
});
