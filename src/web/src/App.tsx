import { ApolloProvider } from '@apollo/client/react';
import { useEffect, useMemo } from 'react';
import { createApi } from './apollo';
import { Login } from './Login';
import { PortfolioScreen } from './PortfolioScreen';
import { useStore } from './store';

export function App() {
  const { token } = useStore();
  const api = useMemo(() => (token ? createApi(token) : null), [token]);
  useEffect(() => () => api?.dispose(), [api]);
  if (!api) return <Login />;
  return (
    <ApolloProvider client={api.client}>
      <PortfolioScreen />
    </ApolloProvider>
  );
}
