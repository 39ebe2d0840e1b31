// A Catalyst-style bundle's server: output/ holds a Node entry point (this file) and no
// package.json, so the bundle deploys as a service. It serves a small HTML page at / and
// JSON at /api/health. Links are relative: the site is served under a path prefix.
const http = require('node:http');

const port = Number(process.env.PORT) || 3000;
const greeting = process.env.GREETING || 'Hello';
const startedAt = new Date().toISOString();

const escapeHtml = (text) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Example storefront</title>
    <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style>
  </head>
  <body>
    <h1>${escapeHtml(greeting)} from the example storefront</h1>
    <p>Served by <code>output/server.js</code> since ${startedAt}. Health: <a href="api/health">api/health</a>.</p>
  </body>
</html>
`;

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (path === '/api/health') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(`${JSON.stringify({ status: 'ok', startedAt })}\n`);
  } else if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not Found\n');
  }
});

server.listen(port, '127.0.0.1', () => console.log(`storefront: listening on port ${port}`));
