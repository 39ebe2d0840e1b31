import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { authorize, whenSignedOut } from './api/client.ts';
import { clearSession, readSession, type Session, saveSession } from './api/session.ts';
import { ConnectorsPage } from './pages/connectors.tsx';
import { DeploymentPage } from './pages/deployment.tsx';
import { ProjectPage } from './pages/project.tsx';
import { ProjectsPage } from './pages/projects.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Link, navigate, useRoute } from './router.tsx';

const Page = ({ session }: { session: Session }) => {
  const route = useRoute();
  switch (route.page) {
    case 'projects':
      return <ProjectsPage session={session} />;
    case 'project':
      return <ProjectPage session={session} projectKey={route.projectKey} />;
    case 'deployment':
      return (
        <DeploymentPage session={session} projectKey={route.projectKey} deploymentKey={route.deploymentKey} />
      );
    case 'connectors':
      return <ConnectorsPage session={session} />;
    case 'not-found':
      return (
        <main id="main">
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            Nothing here. <Link to={{ page: 'projects' }}>See the projects</Link>.
          </p>
        </main>
      );
  }
};

const App = () => {
  const [session, setSession] = useState<Session | undefined>(() => readSession());
  const [notice, setNotice] = useState<string>();
  authorize(session?.token);
  useEffect(() => {
    whenSignedOut((reason) => {
      clearSession();
      authorize(undefined);
      setNotice(reason);
      setSession(undefined);
    });
  }, []);
  useEffect(() => {
    performance.mark('console:rendered');
  }, []);

  const signOut = () => {
    clearSession();
    authorize(undefined);
    setNotice('You are signed out.');
    setSession(undefined);
    navigate({ page: 'projects' }, true);
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to={{ page: 'projects' }} class="brand">
          Slipway
        </Link>
        {session ? (
          <>
            <nav aria-label="Main">
              <Link to={{ page: 'projects' }}>Projects</Link>
              <Link to={{ page: 'connectors' }}>Connectors</Link>
            </nav>
            <span class="who" title={session.scope}>
              {session.clientId ? `Client ${session.clientId.slice(0, 8)}` : 'Signed in'}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </>
        ) : null}
      </header>
      {session ? (
        <Page session={session} />
      ) : (
        <SignIn
          {...(notice ? { notice } : {})}
          onSignedIn={(next) => {
            saveSession(next);
            authorize(next.token);
            setNotice(undefined);
            setSession(next);
          }}
        />
      )}
    </>
  );
};

const root = document.getElementById('app');
if (root) render(<App />, root);
