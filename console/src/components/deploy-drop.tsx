import { useRef, useState } from 'preact/hooks';
import { ApiError, api, read } from '../api/client.ts';
import type { Deployment } from '../api/types.ts';
import { uploadZip } from '../api/uploads.ts';
import { freeKey, KEY_PATTERN, keyFromFileName } from '../logic/deploy-key.ts';
import { formatBytes } from '../logic/format.ts';
import { defaultRegion, REGIONS } from '../logic/regions.ts';
import { navigate } from '../router.tsx';
import { ErrorNote } from './common.tsx';

type Phase = { step: 'idle' } | { step: 'uploading'; sent: number; size: number } | { step: 'creating' };

/**
 * Drop a zipped connector (or a BigCommerce `output/` bundle) here: it is uploaded to a
 * presigned URL, then deployed with Slipway's `artifact: {uploadId}` extension, and the new
 * deployment's page opens. The file input is the same control for keyboard users.
 */
export const DeployDrop = ({
  projectKey,
  takenKeys,
}: {
  projectKey: string;
  takenKeys: ReadonlySet<string>;
}) => {
  const [key, setKey] = useState('');
  const [region, setRegion] = useState(() => defaultRegion(location.hostname));
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  const [over, setOver] = useState(false);
  const [error, setError] = useState<string>();
  const input = useRef<HTMLInputElement>(null);

  const deploy = async (file: File) => {
    setError(undefined);
    if (!/\.zip$/i.test(file.name) && file.type !== 'application/zip') {
      setError(`${file.name} is not a zip file: drop a zipped connector or bundle.`);
      return;
    }
    const deploymentKey = key.trim() || freeKey(keyFromFileName(file.name), takenKeys);
    if (!KEY_PATTERN.test(deploymentKey)) {
      setError('The deployment key must be 2 to 256 letters, digits, - or _.');
      return;
    }
    try {
      setPhase({ step: 'uploading', sent: 0, size: file.size });
      const uploadId = await uploadZip(projectKey, file, (sent) =>
        setPhase(sent < file.size ? { step: 'uploading', sent, size: file.size } : { step: 'creating' }),
      );
      setPhase({ step: 'creating' });
      const created = await read<Deployment>(
        api.POST('/{projectKey}/deployments', {
          params: { path: { projectKey } },
          headers: { 'idempotency-key': crypto.randomUUID() },
          body: { key: deploymentKey, region, artifact: { uploadId } },
        }),
      );
      setPhase({ step: 'idle' });
      setKey('');
      navigate({ page: 'deployment', projectKey, deploymentKey: created.key });
    } catch (caught) {
      setPhase({ step: 'idle' });
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };

  const busy = phase.step !== 'idle';
  return (
    <section class="panel" aria-labelledby="deploy-heading">
      <h2 id="deploy-heading">Deploy a zip</h2>
      <div class="row">
        <label>
          Deployment key
          <input
            value={key}
            placeholder="from the file name"
            pattern="[A-Za-z0-9_\-]{2,256}"
            onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <span class="field">
          <label for="deploy-region">Region</label>
          <select
            id="deploy-region"
            value={region}
            onChange={(event) => setRegion((event.currentTarget as HTMLSelectElement).value)}
          >
            {REGIONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </span>
      </div>
      <label
        class={`drop${over ? ' drop-over' : ''}`}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          const file = event.dataTransfer?.files[0];
          if (file && !busy) void deploy(file);
        }}
      >
        <span>Drop a zipped connector or bundle here, or choose a file</span>
        <input
          ref={input}
          type="file"
          accept=".zip,application/zip"
          disabled={busy}
          onChange={(event) => {
            const file = (event.currentTarget as HTMLInputElement).files?.[0];
            if (file) void deploy(file);
            if (input.current) input.current.value = '';
          }}
        />
      </label>
      {phase.step === 'uploading' ? (
        <div class="progress-line">
          <label for="upload-progress">Upload progress</label>
          <progress id="upload-progress" max={phase.size} value={phase.sent} />
          <span aria-live="polite">
            {formatBytes(phase.sent)} of {formatBytes(phase.size)}
          </span>
        </div>
      ) : null}
      {phase.step === 'creating' ? <p role="status">Uploaded; creating the deployment…</p> : null}
      <ErrorNote error={error} />
    </section>
  );
};
