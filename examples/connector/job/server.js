// The job application: the scheduler POSTs to its endpoint on the schedule connect.yaml gives
// (properties.schedule); each run is logged and counted. GET answers how many runs there were.
const http = require('node:http');

const port = Number(process.env.PORT) || 8080;
let runs = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST') {
    runs += 1;
    console.log(`job: run ${runs} at ${new Date().toISOString()}`);
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify({ runs })}\n`);
});

server.listen(port, '127.0.0.1', () => console.log(`job: listening on port ${port}`));
