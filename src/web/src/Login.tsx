import { useState, type FormEvent } from 'react';
import { print, type ExecutionResult } from 'graphql';
import type { LoginMutation } from './gql/graphql';
import { LOGIN } from './operations';
import { store } from './store';

/** Demo users that `npm start` seeds into an empty database (src/seed/demo.ts). */
const DEMO_USERS = ['demo_growth', 'demo_value', 'demo_balanced'];

/** Logs in through the API's login mutation (before any Apollo client exists: the client is made per token). */
export function Login() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(LOGIN), variables: { input: { usernameOrEmail: username, password } } }),
      });
      const body = (await res.json()) as ExecutionResult<LoginMutation>;
      if (body.errors?.length) throw new Error(body.errors.map((x) => x.message).join('; '));
      if (!body.data) throw new Error('the login answered no data');
      store.login(body.data.login.token, body.data.login.user.username);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Strategy Graph</h1>
        <label>
          Username or email
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="hint">
          Demo data (seeded by <code>npm start</code> into an empty database):{' '}
          {DEMO_USERS.map((u, i) => (
            <span key={u}>
              {i > 0 && ', '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  setUsername(u);
                  setPassword('demo123');
                }}
              >
                {u}
              </button>
            </span>
          ))}
          , password <code>demo123</code>.
        </p>
      </form>
    </main>
  );
}
