import { inject } from 'vitest';

// Test files talk to the run's stack with the same SDK configuration its handlers use.
Object.assign(process.env, inject('stackEnv'), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
