/** The connector a deployment binds to and the configuration values it keeps (secured ones sealed). */
import { ConnectorReferenceNotFound, ConnectorStagedNotPreviewable } from '../connectors/errors.ts';
import type { ConnectorConfigurationApplication } from '../connectors/model.ts';
import { type ConnectorRef, getConnector, getConnectorDraft } from '../connectors/registry.ts';
import { newId } from '../shared/ids.ts';
import { DeploymentInvalidType, DeploymentUnsupportedRegion } from './errors.ts';
import type {
  ApplicationDeployment,
  DeploymentConnector,
  DeploymentType,
  SecuredValue,
  StoredConfiguration,
} from './model.ts';
import type { DeploymentDeps } from './operations.ts';
import type { EncryptionContext, SecretCipher } from './ports.ts';
import { mergeValues } from './rules.ts';
import type {
  ApplicationConfigurationInput,
  ConfigurationInput,
  ConnectorReferenceInput,
} from './schemas.ts';

/**
 * The connector a draft refers to, as a snapshot: a published version (the newest unless
 * `version` is given) the tenant can see, or with `staged: true` the tenant's own previewable
 * ConnectorStaged. A private connector limited to some projects is not found from others.
 */
export const resolveConnector = async (
  deps: DeploymentDeps,
  tenant: string,
  projectIdentifier: string,
  ref: ConnectorReferenceInput,
): Promise<DeploymentConnector> => {
  const connectorRef: ConnectorRef = ref.id !== undefined ? { id: ref.id } : { key: ref.key ?? '' };
  const identifier = ref.id ?? ref.key ?? '';
  const notFound = () => new ConnectorReferenceNotFound(identifier, ref.version);
  if (ref.staged) {
    const draft = await getConnectorDraft(deps, tenant, connectorRef).catch(() => {
      throw notFound();
    });
    if (draft.isPreviewable !== 'true' || draft.previewObjectKey === undefined)
      throw new ConnectorStagedNotPreviewable(identifier);
    return {
      id: draft.id,
      ...(draft.key === undefined ? {} : { key: draft.key }),
      version: draft.version,
      name: draft.name,
      ...(draft.description ? { description: draft.description } : {}),
      integrationTypes: draft.integrationTypes,
      creator: draft.creator,
      source: draft.source,
      configurations: draft.configurations,
      ...(draft.globalConfiguration ? { globalConfiguration: draft.globalConfiguration } : {}),
      ...(draft.apiClient ? { apiClient: draft.apiClient } : {}),
      certified: false,
      supportedRegions: draft.supportedRegions,
      ...(draft.documentationUrl ? { documentationUrl: draft.documentationUrl } : {}),
      staged: true,
      objectKey: draft.previewObjectKey,
    };
  }
  const latest = await getConnector(deps, tenant, connectorRef).catch(() => {
    throw notFound();
  });
  const connector =
    ref.version === undefined || ref.version === latest.version
      ? latest
      : await deps.connectors.getConnector(latest.id, ref.version);
  if (!connector) throw notFound();
  if (
    connector.private &&
    connector.privateProjects.length > 0 &&
    !connector.privateProjects.includes(projectIdentifier)
  )
    throw notFound();
  const {
    tenant: _,
    private: __,
    privateProjects: ___,
    createdAt: ____,
    lastModifiedAt: _____,
    ...snapshot
  } = connector;
  return { ...snapshot, staged: false };
};

/** `type` defaults to `sandbox` for a Connector; a ConnectorStaged can only be a `preview`. */
export const resolveType = (
  connector: DeploymentConnector,
  type: DeploymentType | undefined,
): DeploymentType => {
  const allowed: DeploymentType[] = connector.staged ? ['preview'] : ['sandbox', 'production'];
  const resolved = type ?? allowed[0] ?? 'sandbox';
  if (!allowed.includes(resolved))
    throw new DeploymentInvalidType(connector.id, connector.key, resolved, allowed);
  return resolved;
};

/** A connector may limit where it runs (`supportedRegions`); none listed means anywhere served. */
export const checkConnectorRegion = (connector: DeploymentConnector, region: string) => {
  if (connector.supportedRegions.length > 0 && !connector.supportedRegions.includes(region))
    throw new DeploymentUnsupportedRegion(region, connector.supportedRegions);
};

/** Encrypts the secured values of one write with one cipher call (one data key on AWS). */
export const sealAll = async (
  cipher: SecretCipher,
  context: EncryptionContext,
  groups: ConfigurationInput['securedConfiguration'][],
): Promise<SecuredValue[][]> => {
  const flat = groups.flat();
  const sealed = await cipher.encrypt(
    flat.map((v) => v.value),
    context,
  );
  let i = 0;
  return groups.map((group) => group.map((v) => ({ key: v.key, ciphertext: sealed[i++] ?? '' })));
};

/**
 * The applications after applying `given` values: every application the connector declares,
 * each keeping what it had unless a given key replaces it.
 */
export const mergeApplications = async (
  deps: DeploymentDeps,
  context: EncryptionContext,
  declared: ConnectorConfigurationApplication[],
  current: ApplicationDeployment[],
  given: ApplicationConfigurationInput[],
  globalGiven: ConfigurationInput | undefined,
  currentGlobal: StoredConfiguration | undefined,
) => {
  const [globalSecured = [], ...appSecured] = await sealAll(deps.cipher, context, [
    globalGiven?.securedConfiguration ?? [],
    ...given.map((g) => g.securedConfiguration),
  ]);
  const applications = declared.map((d): ApplicationDeployment => {
    const existing = current.find((a) => a.applicationName === d.applicationName);
    const index = given.findIndex((g) => g.applicationName === d.applicationName);
    const values = given[index];
    return {
      ...(existing ?? { id: newId(), applicationName: d.applicationName }),
      ...(values?.schedule ? { scheduleOverride: values.schedule } : {}),
      standardConfiguration: mergeValues(
        existing?.standardConfiguration ?? [],
        values?.standardConfiguration ?? [],
      ),
      securedConfiguration: mergeValues(existing?.securedConfiguration ?? [], appSecured[index] ?? []),
    };
  });
  const globalConfiguration =
    globalGiven || currentGlobal
      ? {
          standardConfiguration: mergeValues(
            currentGlobal?.standardConfiguration ?? [],
            globalGiven?.standardConfiguration ?? [],
          ),
          securedConfiguration: mergeValues(currentGlobal?.securedConfiguration ?? [], globalSecured),
        }
      : undefined;
  return { applications, globalConfiguration };
};

/** A region this server does not serve is refused before the connector is looked up. */
export const checkRegionServed = (deps: DeploymentDeps, region: string) => {
  if (!deps.settings.regions.includes(region))
    throw new DeploymentUnsupportedRegion(region, deps.settings.regions);
};
