export type UploadStatus = 'pending' | 'uploaded' | 'consumed' | 'expired';

/** A single-use, expiring slot for one artifact, written straight to object storage. */
export interface Upload {
  id: string;
  tenant: string;
  projectKey: string;
  projectId: string;
  /** Chosen by the server, never by the client. */
  objectKey: string;
  status: UploadStatus;
  contentType: string;
  /** What the client declared (signed into the URL when given). */
  declaredSize?: number;
  sha256?: string;
  maxSize: number;
  expiresAt: string;
  createdAt: string;
  /** What storage reported once the object arrived. */
  size?: number;
  etag?: string;
  uploadedAt?: string;
  /** Who used it (`deployment:<id>`, `connector:<id>`), once consumed. */
  consumedBy?: string;
  version: number;
}

/** No upload URL lives longer than this, whatever the request or the configuration asks. */
export const MAX_UPLOAD_TTL_SECONDS = 3600;
