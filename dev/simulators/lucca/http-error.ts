/**
 * An error answer from a Lucca endpoint. The body is the one Lucca's framework for its v3 APIs
 * (LuccaSA/RestDrivenDomain) writes: camelCase `{ status, message, data }`, the stack trace left out in
 * production (its CHANGELOG, 1.0.10: "Errors are now in camelCase, and only contains (status, message,
 * data, stackTrace)"; the exception filter drops `stackTrace` in production). `data` is the exception's
 * data dictionary, empty in practice.
 */
export class LuccaHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): LuccaErrorBody {
    return { status: this.status, message: this.message, data: {} };
  }
}

export interface LuccaErrorBody {
  status: number;
  message: string;
  data: Record<string, never>;
}

export const badRequest = (message: string) => new LuccaHttpError(400, message);
