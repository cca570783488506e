/**
 * A request the server refuses for a reason the caller can fix (bad reference, over budget,
 * over quota). Thrown below the tRPC layer (server/workflows, server/auth); every procedure turns
 * it into a TRPCError with this code and message (server/trpc/init.ts).
 */
export class RefusedError extends Error {
  constructor(
    readonly code: 'BAD_REQUEST' | 'TOO_MANY_REQUESTS' | 'PRECONDITION_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'RefusedError';
  }
}
