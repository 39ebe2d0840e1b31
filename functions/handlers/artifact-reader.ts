import type { SourceCheckExecution } from '../core/connectors/model.ts';
import { readConnectorSource } from '../core/connectors/publishing.ts';
import type { DeploymentExecution } from '../core/deployments/model.ts';
import { readDeployArtifact } from '../core/deployments/workflow/prepare.ts';
import { workflowTask } from '../tasks/workflow-task.ts';
import { artifactReaderDeps } from '../wiring/artifact-reader.ts';

/**
 * The step both workflows start with: download an artifact, check the zip, read its
 * connect.yaml (`statemachine/deploy.asl.json` ReadArtifact, `publish-connector.asl.json`
 * ReadSource). The text goes on to the step that parses it, in another function.
 */
export type ArtifactReaderEvent =
  | { step: 'deployment'; execution: DeploymentExecution }
  | { step: 'connector-source'; execution: SourceCheckExecution };

export const { step: readArtifactStep, handler } = workflowTask<ArtifactReaderEvent>(
  'artifact read',
  (event) =>
    event.step === 'deployment'
      ? readDeployArtifact(artifactReaderDeps, event.execution)
      : readConnectorSource(artifactReaderDeps, event.execution),
);
