// The secrets seam: Secrets Manager on AWS, an encrypted file locally. Jobs
// keep only the reference; the value is read by the worker and by release.
export interface SecretStore {
  /** Stores a value and returns the reference to keep instead of it. */
  put(name: string, value: string): Promise<string>;
  get(ref: string): Promise<string>;
  delete(ref: string): Promise<void>;
}
