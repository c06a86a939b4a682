import { ERROR_CODES, type ErrorClass, type ErrorCode } from './error-codes.ts';

/** What storage and the API show of a failure: never a secret, always a fix. */
export type ErrorReport = { code: ErrorCode; class: ErrorClass; message: string; remedy: string; at: string };

export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly errorClass: ErrorClass;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TributaryError';
    this.code = code;
    this.errorClass = ERROR_CODES[code].class;
  }

  get remedy(): string {
    return ERROR_CODES[this.code].remedy;
  }

  toReport(now = new Date()): ErrorReport {
    return { code: this.code, class: this.errorClass, message: this.message, remedy: this.remedy, at: now.toISOString() };
  }
}
