import { describe, expect, it } from 'vitest';
import { GitRepositoryNotReachable } from '../../functions/core/connectors/errors.ts';
import { ArtifactRejected } from '../../functions/core/uploads/errors.ts';
import { asTaskError, failureOfCaught } from '../../functions/tasks/task-errors.ts';

/** What a Catch holds after a Lambda task threw `error` (Lambda's errorType/errorMessage cause). */
const caught = (error: Error) => ({
  Error: error.name,
  Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }),
});

describe('errors crossing Step Functions', () => {
  it('names a domain error by its code and keeps its message for the report', () => {
    const error = asTaskError(
      new ArtifactRejected('ArtifactSymlink', "The artifact contains a symbolic link: 'a'."),
    );

    expect(error.name).toBe('Slipway.ArtifactSymlink');
    expect(failureOfCaught(caught(error))).toEqual({
      code: 'ArtifactSymlink',
      message: "The artifact contains a symbolic link: 'a'.",
    });
  });

  it('hides the detail of anything else behind a retryable InternalError', () => {
    const error = asTaskError(new TypeError("Cannot read properties of undefined (reading 'secret')"));

    expect(error.name).toBe('InternalError');
    expect(error.message).not.toContain('secret');
    expect(failureOfCaught(caught(error))).toMatchObject({ code: 'General' });
  });

  it.each([
    [{ Error: 'States.Timeout', Cause: '' }, 'timed out'],
    [{ Error: 'States.TaskFailed', Cause: '{"Build":{"BuildStatus":"FAILED"}}' }, 'States.TaskFailed'],
    [{ Error: 'Slipway.ArtifactNotZip', Cause: 'not json' }, 'Slipway.ArtifactNotZip'],
    [{}, 'States.TaskFailed'],
  ])('reports %j as General, saying what stopped it', (error, mentioned) => {
    const failure = failureOfCaught(error);

    expect(failure.code).toBe('General');
    expect(failure.message).toContain(mentioned);
  });

  it('keeps git’s words in GitRepositoryNotReachable', () => {
    const error = asTaskError(new GitRepositoryNotReachable('file:///r', 'v9', 'Remote branch v9 not found'));

    expect(failureOfCaught(caught(error)).message).toContain('Remote branch v9 not found');
  });
});
