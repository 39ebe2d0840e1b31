/**
 * middy's early timeout races every call against a timer so it can answer just before Lambda
 * kills the function. API Gateway answers integration timeouts itself, so for API handlers it
 * only costs a timer and a race per request (measured on the local gateway's throughput).
 */
export const MIDDY_OPTIONS = { timeoutEarlyInMillis: 0 };
