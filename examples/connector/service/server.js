// The service application: answers GET at its endpoint with a JSON greeting (GREETING comes
// from the deployment's configuration) and GET /health with {"status":"ok"}.
const http = require('node:http');

const greeting = process.env.GREETING || 'Hello';
const port = Number(process.env.PORT) || 8080;

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
};

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: `${req.method} is not allowed here` }, { allow: 'GET, HEAD' });
  } else if (path === '/health') {
    send(res, 200, { status: 'ok' });
  } else {
    send(res, 200, {
      message: `${greeting} from the example connector!`,
      greeting,
      path,
      apiTokenConfigured: Boolean(process.env.API_TOKEN),
    });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`service: listening on port ${port}`));
