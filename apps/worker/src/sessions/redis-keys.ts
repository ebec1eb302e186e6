// Redis keys and channels of the sessions domain (all under the deployment prefix).
export const sessionKeys = {
  lease: (prefix: string, sessionId: string) => `${prefix}:session-lease:${sessionId}`,
  /** Live QR / pairing code / status changes for the web app (JSON SessionUpdate). */
  updatesChannel: (prefix: string) => `${prefix}:session-updates`,
  /** Commands for the sessions one worker owns (stop/logout/restart/pairing-code). */
  controlChannel: (prefix: string, workerId: string) => `${prefix}:session-control:${workerId}`,
};
