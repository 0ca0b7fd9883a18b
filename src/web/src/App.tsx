import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { createApi, type Api } from './apollo';
import { Login } from './Login';
import { PortfolioScreen } from './PortfolioScreen';
import { useStore } from './store';

export function App() {
  const { token } = useStore();
  // One Apollo client (and socket) per token, made and disposed by the effect (so StrictMode's re-run is safe).
  const [api, setApi] = useState<Api | null>(null);
  useEffect(() => {
    if (!token) return undefined;
    const a = createApi(token);
    setApi(a);
    return () => {
      a.dispose();
      setApi((cur) => (cur === a ? null : cur));
    };
  }, [token]);
  if (!token) return <Login />;
  if (!api) return null;
  return (
    <ApolloProvider client={api.client}>
      <PortfolioScreen />
    </ApolloProvider>
  );
}
