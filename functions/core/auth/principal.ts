/** Who is calling: an API client (OAuth2 bearer token) or a store access token (X-Auth-Token). */
export interface Principal {
  kind: 'client' | 'store-token';
  /** The API client id, or the store token's id. */
  subject: string;
  /** The tenant that owns every project this principal can see; also the BigCommerce store hash. */
  tenant: string;
  scopes: string[];
}
