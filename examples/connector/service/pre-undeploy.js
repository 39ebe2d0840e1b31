// preUndeploy script: runs before the applications are stopped; a real connector would remove
// what its postDeploy registered.
console.log(`preUndeploy: the service at ${process.env.CONNECT_SERVICE_URL} is about to stop`);
