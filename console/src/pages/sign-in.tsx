import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, introspect, tokenFor } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { ErrorNote } from '../components/common.tsx';

/**
 * A refused token at sign-in: there was no session yet, so the generic 401 words ("your
 * session has ended") would mislead.
 */
const NOT_VALID = 'This token is not valid (or has expired).';

/**
 * Sign in with a token (the admin token `npm start` prints, or any bearer token) or with an
 * API client's id and secret, exchanged at the token endpoint. Either is checked by
 * introspection before the console opens.
 */
export const SignIn = ({
  onSignedIn,
  notice,
}: {
  onSignedIn: (session: Session) => void;
  notice?: string;
}) => {
  const [mode, setMode] = useState<'token' | 'client'>('token');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  // Signed out (by the button, or by a 401), the control that had focus is gone: give it to
  // the heading, the notice following it.
  useEffect(() => {
    if (notice) heading.current?.focus();
  }, [notice]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(fields.get(name) ?? '').trim();
    setBusy(true);
    setError(undefined);
    try {
      const token =
        mode === 'token'
          ? value('token').replace(/^Bearer\s+/i, '')
          : (await tokenFor(value('clientId'), value('clientSecret'))).access_token;
      if (!token) throw new ApiError(400, 'Paste a token first.');
      const about = await introspect(token);
      if (!about.active) throw new ApiError(401, NOT_VALID);
      onSignedIn({
        token,
        ...(about.client_id ? { clientId: about.client_id } : {}),
        ...(about.scope ? { scope: about.scope } : {}),
        ...(about.tenant ? { tenant: about.tenant } : {}),
      });
    } catch (caught) {
      // Introspection answers 401 to a token it does not know; the client exchange has its own words.
      if (caught instanceof ApiError)
        setError(mode === 'token' && caught.status === 401 ? NOT_VALID : caught.message);
      else setError(String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1 ref={heading} tabIndex={-1}>
        Sign in to Slipway
      </h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <fieldset class="segmented">
        <legend>Sign in with</legend>
        <label>
          <input type="radio" name="mode" checked={mode === 'token'} onChange={() => setMode('token')} /> A
          token
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'client'} onChange={() => setMode('client')} />{' '}
          Client id and secret
        </label>
      </fieldset>
      <form onSubmit={submit} class="stack">
        {mode === 'token' ? (
          <>
            <label for="token">Token</label>
            <textarea id="token" name="token" rows={4} required autoComplete="off" spellcheck={false} />
            <p class="hint">
              <code>npm start</code> prints it as “Admin token”.
            </p>
          </>
        ) : (
          <>
            <label for="clientId">Client id</label>
            <input id="clientId" name="clientId" required autoComplete="username" />
            <label for="clientSecret">Client secret</label>
            <input
              id="clientSecret"
              name="clientSecret"
              type="password"
              required
              autoComplete="current-password"
            />
          </>
        )}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="hint">
        The token stays in this tab’s session storage, and goes when you sign out or close it.
      </p>
    </main>
  );
};
