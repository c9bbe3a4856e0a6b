/** An error answer from a Lucca endpoint. The body imitates ASP.NET (`{ "Message": … }`); clients must not rely on it. */
export class LuccaHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { Message: string; Status: number } {
    return { Message: this.message, Status: this.status };
  }
}

export const badRequest = (message: string) => new LuccaHttpError(400, message);
