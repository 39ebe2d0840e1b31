import { randomUUID } from 'node:crypto';

/** The Step Functions integration this stands in for: start a build and wait for it. */
export const CODEBUILD_START_BUILD_SYNC = 'arn:aws:states:::codebuild:startBuild.sync';

/**
 * What a CodeBuild project does, run locally with the build's environment variables; what it
 * returns is exported as CodeBuild exports variables (`exported-variables` in a buildspec).
 */
export type LocalBuildProject = (
  env: Record<string, string>,
  signal: AbortSignal,
) => Promise<Record<string, string> | undefined>;

interface StartBuildInput {
  ProjectName?: unknown;
  EnvironmentVariablesOverride?: { Name?: unknown; Value?: unknown }[];
}

const taskError = (name: string, cause: unknown) => {
  const error = new Error(JSON.stringify(cause));
  error.name = name;
  return error;
};

/**
 * The local runtime's CodeBuild: `startBuild.sync` Task states reach it with the same
 * Parameters they send to CodeBuild on AWS (project name, environment overrides), and it runs
 * the matching local project in process. It answers with the Build document's essentials, and
 * fails the task as Step Functions does when a build fails (`States.TaskFailed`, the build as
 * the cause).
 */
export const localCodeBuild = (projects: Record<string, LocalBuildProject>) => {
  /** Running builds, stopped when the local runtime shuts down (as a container would be). */
  const running = new Set<AbortController>();
  const run = async (input: unknown): Promise<unknown> => {
    const { ProjectName, EnvironmentVariablesOverride = [] } = (input ?? {}) as StartBuildInput;
    const projectName = String(ProjectName);
    const project = projects[projectName];
    if (!project) {
      throw taskError('CodeBuild.ResourceNotFoundException', {
        message: `Project cannot be found: ${projectName}`,
      });
    }
    // CodeBuild documents no empty values and some callers report them refused: the workflows
    // never send one, and the local stand-in holds them to it.
    const empty = EnvironmentVariablesOverride.find((v) => v.Value === undefined || v.Value === '');
    if (empty)
      throw taskError('CodeBuild.InvalidInputException', {
        message: `Environment variable ${String(empty.Name)} has an empty value`,
      });
    const env = Object.fromEntries(
      EnvironmentVariablesOverride.map((v) => [String(v.Name), String(v.Value)]),
    );
    const build = {
      Id: `${projectName}:${randomUUID()}`,
      ProjectName: projectName,
      StartTime: Date.now(),
      Environment: {
        EnvironmentVariables: Object.entries(env).map(([Name, Value]) => ({
          Name,
          Value,
          Type: 'PLAINTEXT',
        })),
      },
    };
    let exported: Record<string, string> | undefined;
    const controller = new AbortController();
    running.add(controller);
    try {
      exported = await project(env, controller.signal);
    } catch (error) {
      // As CodeBuild reports a failed command: the BUILD phase, with a context saying why.
      throw taskError('States.TaskFailed', {
        Build: {
          ...build,
          BuildStatus: 'FAILED',
          EndTime: Date.now(),
          Phases: [
            {
              PhaseType: 'BUILD',
              PhaseStatus: 'FAILED',
              Contexts: [{ StatusCode: 'COMMAND_EXECUTION_ERROR', Message: (error as Error).message }],
            },
          ],
        },
      });
    } finally {
      running.delete(controller);
    }
    return {
      Build: {
        ...build,
        BuildStatus: 'SUCCEEDED',
        EndTime: Date.now(),
        ExportedEnvironmentVariables: Object.entries(exported ?? {}).map(([Name, Value]) => ({
          Name,
          Value,
        })),
      },
    };
  };
  return {
    run,
    /** Stops every running build (their commands' process groups). */
    close: () => {
      for (const controller of running) controller.abort();
    },
  };
};
