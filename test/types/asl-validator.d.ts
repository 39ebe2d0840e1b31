/** asl-validator ships no type declarations; this is the part the tests use. */
declare module 'asl-validator' {
  interface ValidationResult {
    isValid: boolean;
    errors: { message?: string }[];
    errorsText(separator?: string): string;
  }
  // The package's CommonJS export is the function itself, which ESM imports as the default.
  // biome-ignore lint/style/noDefaultExport: describes a third-party module's shape
  export default function aslValidator(definition: unknown): ValidationResult;
}
