import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loadConfig } from './config';
import { Shell } from './shell';

// Local mode: the commons prints the portal's URL with its sign-in key in the fragment (never sent
// to a server); keep it for the role picker and take it out of the address bar.
if (HILUM_LOCAL_SIGN_IN) {
  const key = /(?:^#|&)local-key=([A-Za-z0-9_-]+)/.exec(location.hash)?.[1];
  if (key) {
    localStorage.setItem('hilum.localSignInKey', key);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
}

const root = createRoot(document.getElementById('root')!);
loadConfig().then(
  () =>
    root.render(
      <StrictMode>
        <Shell />
      </StrictMode>,
    ),
  () => root.render(<p role="alert">The portal could not read its configuration (/portal-config.json). Is the commons running?</p>),
);
