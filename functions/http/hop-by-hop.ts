/** Headers that describe one hop, not the message (RFC 9110 §7.6.1): a proxy never forwards them. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);
