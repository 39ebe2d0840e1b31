// The event application: receives Google Pub/Sub push requests (POST {message, subscription})
// at its endpoint, logs each message and answers 204; GET /health answers {"status":"ok"}.
const http = require('node:http');

const port = Number(process.env.PORT) || 8080;

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(`${JSON.stringify({ status: 'ok', accepts: 'POST Pub/Sub push messages' })}\n`);
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(body).message;
    } catch {
      message = undefined;
    }
    if (!message || typeof message !== 'object') {
      console.error(`event: not a Pub/Sub push request: ${body.slice(0, 200)}`);
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Expected a Pub/Sub push request: {"message": {"data": "<base64>", …}}\n');
      return;
    }
    const data = Buffer.from(message.data || '', 'base64').toString('utf8');
    const id = message.messageId || message.message_id;
    console.log(`event: message ${id} published at ${message.publishTime || message.publish_time}: ${data}`);
    res.writeHead(204);
    res.end();
  });
});

server.listen(port, '127.0.0.1', () => console.log(`event: listening on port ${port}`));
