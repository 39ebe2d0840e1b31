import { AppError, type ErrorDetails } from '../shared/errors.ts';

/** Upload lifecycle errors (issue 3): each says what the client can do about it. */
export class UploadNotFound extends AppError {
  override readonly name = 'UploadNotFound';
  constructor(id: string) {
    super('ResourceNotFound', `The upload '${id}' was not found.`);
  }
}

export class UploadTooLarge extends AppError {
  override readonly name = 'UploadTooLarge';
  constructor(size: number, maxSize: number) {
    super('UploadTooLarge', `The upload is ${size} bytes; the limit is ${maxSize} bytes.`, { size, maxSize });
  }
}

export class UploadNotReady extends AppError {
  override readonly name = 'UploadNotReady';
  constructor(id: string) {
    super('UploadNotReady', `The upload '${id}' has not been uploaded yet: PUT the file to its URL first.`);
  }
}

export class UploadExpired extends AppError {
  override readonly name = 'UploadExpired';
  constructor(id: string) {
    super('UploadExpired', `The upload '${id}' expired before a file arrived: request a new upload.`);
  }
}

export class UploadAlreadyConsumed extends AppError {
  override readonly name = 'UploadAlreadyConsumed';
  constructor(id: string, consumedBy: string) {
    super(
      'UploadAlreadyConsumed',
      `The upload '${id}' was already used by ${consumedBy}: request a new upload.`,
      {
        consumedBy,
      },
    );
  }
}

export class UploadContentInvalid extends AppError {
  override readonly name = 'UploadContentInvalid';
  constructor(id: string, reason: string) {
    super('UploadContentInvalid', `The upload '${id}' cannot be used: ${reason}.`);
  }
}

/** An artifact refused before anything in it runs; `code` names the rule it broke. */
export class ArtifactRejected extends AppError {
  override readonly name = 'ArtifactRejected';
  constructor(
    code:
      | 'ArtifactNotZip'
      | 'ArtifactUnsafePath'
      | 'ArtifactSymlink'
      | 'ArtifactTooLarge'
      | 'ArtifactCompressionRatio'
      | 'ArtifactTooManyEntries'
      | 'BundleTooManyFiles'
      | 'BundleFileTooLarge'
      | 'BundleManifestInvalid'
      | 'ConnectorSpecificationFileNotFound',
    message: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
  }
}
