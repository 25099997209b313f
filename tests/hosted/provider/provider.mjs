// A real OpenID provider (oidc-provider, OpenID-certified) for the hosted service's sign-in
// tests. Never deployed: its sign-in page accepts any login with any password.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {
//   "issuer": "http://127.0.0.1:{port}",   // {port} becomes the port listened on
//   "host": "127.0.0.1", "port": 0,        // 0: a free port, chosen by the system
//   "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//                "token_endpoint_auth_method"?}],
//   "jwks": {"keys": [private JWKs]},      // the ID tokens' signing keys
//   "cookie_keys": ["..."],
//   "client_auth_methods"?: [...],         // the token endpoint's methods, discovery says them
//   "id_token_claims"?: false,             // true: email in the ID token itself, not only userinfo
//   "exit_with_stdin"?: false              // true: stop when standard input closes
// }
//
// Once listening it prints one line of JSON, {"issuer": ..., "port": ...}, and serves until
// it is sent SIGTERM (or its standard input closes, with exit_with_stdin).
//
// The sign-in page, GET /interaction/UID, is this program's own (not oidc-provider's
// development page, which loads a web font from the internet): a form with the fields
// "login" and "password" and one button, "Sign in"; "Cancel" refuses the sign-in
// (access_denied). The login is the account's id, so the ID token's subject (sub) is the login
// as typed; its email is the login too, verified, except for a login that begins "unverified."
// (email_verified false) or "no-email." (no email claim). Consent is not asked: the grant of
// "openid email" is made at the first sign-in, as for a council's own application.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function account(login) {
  return {
    accountId: login,
    async claims() {
      if (login.startsWith('no-email.')) {
        return { sub: login };
      }
      return { sub: login, email: login, email_verified: !login.startsWith('unverified.') };
    },
  };
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value) => String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]);

function page(uid, clientId, message) {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in – test provider</title>
<style>body { font-family: sans-serif; max-width: 30rem; margin: 2rem auto; }
label, input, button { display: block; margin: 0.5rem 0; }</style></head>
<body>
<main>
<h1>Sign in</h1>
<p>Test identity provider, for ${escape(clientId)}. Any login and password are accepted.</p>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="${action}" autocomplete="off">
<label for="login">Email address</label>
<input id="login" name="login" type="text" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="${action}/abort">Cancel</a></p>
</main>
</body>
</html>
`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65536) {
      throw new Error('form too large');
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, type, body) {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(body);
}

// GET /interaction/UID: the page; POST: the login; GET /interaction/UID/abort: cancelled.
async function interaction(provider, req, res, path) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    send(res, 400, 'text/plain; charset=utf-8', 'This sign-in has expired or was not started here.\n');
    return;
  }
  const { uid, prompt, params } = details;
  if (path.endsWith('/abort')) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The person cancelled the sign-in',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name !== 'login') {
    // With the grant made at sign-in there is no consent prompt; anything else is not served.
    send(res, 501, 'text/plain; charset=utf-8', `The prompt ${prompt.name} is not served here.\n`);
    return;
  }
  if (req.method === 'POST') {
    const form = await readForm(req);
    const login = (form.get('login') || '').trim();
    if (login && form.get('password')) {
      await provider.interactionFinished(req, res, { login: { accountId: login } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
    send(res, 200, 'text/html; charset=utf-8', page(uid, params.client_id, 'Enter a login and a password.'));
    return;
  }
  send(res, 200, 'text/html; charset=utf-8', page(uid, params.client_id, ''));
}

const server = createServer();
server.listen(config.port ?? 0, config.host ?? '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = config.issuer.replace('{port}', String(port));

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: config.jwks,
    cookies: { keys: config.cookie_keys },
    clientAuthMethods: config.client_auth_methods ?? ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: ['openid', 'email'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: !config.id_token_claims,
    // Every client must send a PKCE challenge, so a client that forgets it is caught.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    async findAccount(ctx, id) {
      return account(id);
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        return ctx.oidc.provider.Grant.find(grantId);
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email');
      grant.addOIDCClaims(['email', 'email_verified']);
      await grant.save();
      return grant;
    },
  });

  const handle = provider.callback();
  server.on('request', (req, res) => {
    const path = new URL(req.url, 'http://provider.invalid').pathname;
    if (!/^\/interaction\/[^/]+(\/abort)?$/.test(path)) {
      handle(req, res);
      return;
    }
    interaction(provider, req, res, path).catch((error) => {
      process.stderr.write(`interaction failed: ${error?.stack ?? error}\n`);
      if (!res.headersSent) {
        send(res, 500, 'text/plain; charset=utf-8', 'The sign-in page failed.\n');
      }
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by a test run: it ends with that run, even one killed before it could stop it.
if (config.exit_with_stdin) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
