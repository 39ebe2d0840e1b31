// postDeploy script: runs once the applications are live; a real connector would register
// subscriptions or extensions with CONNECT_SERVICE_URL here.
const url = process.env.CONNECT_SERVICE_URL;
if (!url) {
  console.error('postDeploy: CONNECT_SERVICE_URL is not set');
  process.exit(1);
}
console.log(
  `postDeploy: the service is live at CONNECT_SERVICE_URL=${url} (GREETING=${process.env.GREETING})`,
);
