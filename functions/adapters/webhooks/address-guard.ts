import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { type AddressVerdict, classifyAddress } from '../../core/webhooks/addresses.ts';

/** Resolves a host name to every address it has (injectable: tests make a name resolve anywhere). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** Why a delivery did not connect: the address it would have reached is refused. */
export class AddressRefused extends Error {
  override readonly name = 'AddressRefused';
}

const refusal = (host: string, address: string, verdict: AddressVerdict & { allowed: false }) =>
  new AddressRefused(
    host === address ? `Refused: ${verdict.reason}` : `Refused: ${host} resolves to ${verdict.reason}`,
  );

/** The verdict on a literal address, as a refusal to throw (undefined when it is allowed). */
export const refusalOf = (
  host: string,
  address: string,
  allowLoopback: boolean,
): AddressRefused | undefined => {
  const verdict = classifyAddress(address, { allowLoopback });
  return verdict.allowed ? undefined : refusal(host, address, verdict);
};

/**
 * A `lookup` for node's `http.request`/`net.connect`: the name is resolved here and the
 * connection is made to exactly the addresses checked, so DNS cannot answer one thing to a
 * check and another to the connection (rebinding). A name with any refused address is refused
 * as a whole. Literal addresses never reach a lookup: the sender checks them itself, and
 * checks the connected socket's address again before it writes a byte.
 */
export const guardedLookup = (resolve: Resolver, allowLoopback: boolean): LookupFunction =>
  ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        for (const { address } of addresses) {
          const refused = refusalOf(hostname, address, allowLoopback);
          if (refused) return callback(refused);
        }
        const [first] = addresses;
        if (options?.all) return callback(null, addresses);
        return callback(null, first?.address, first?.family);
      },
      (error: unknown) => callback(error),
    );
  }) as LookupFunction;

/** A host as it appears in a URL, without the brackets of an IPv6 literal. */
export const bareHost = (hostname: string) =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

export const isAddressLiteral = (hostname: string) => isIP(bareHost(hostname)) !== 0;
