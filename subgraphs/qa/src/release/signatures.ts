import { confirmSignature, type ConfirmedSignature } from "#lib/auth/signatureClient.js";
import { apiError } from "#lib/errors.js";
import { ServiceUnavailableError, type ServiceCallTarget } from "#lib/graphql/serviceCall.js";

/** Electronic signatures of the request's caller. */
export interface Signatures {
  /** Auth's confirmation of the caller's password (throttled there like sign-ins); auth's refusal is thrown as it came. */
  confirm(password: string): Promise<ConfirmedSignature>;
}

/** Signatures confirmed by the auth subgraph at `authUrl`, for the caller of `target`. */
export const authSignatures = ({ url, authorization, requestId, timeoutMs }: ServiceCallTarget): Signatures => ({
  confirm: (password) =>
    confirmSignature({ authUrl: url, authorization, requestId, password, timeoutMs }).catch((err: unknown) => {
      if (!(err instanceof ServiceUnavailableError)) throw err;
      throw apiError("SERVICE_UNAVAILABLE", "The auth service cannot confirm signatures right now; nothing was signed, try again shortly", {
        serviceName: "auth",
      });
    }),
});
