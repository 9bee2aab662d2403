import { callService, ServiceUnavailableError } from "../graphql/serviceCall.js";

/** What {@link confirmSignature} needs: the auth subgraph, the signer's own request, the password. */
export interface ConfirmSignatureOptions {
  /** Base URL of the auth subgraph (`AUTH_URL`): the mutation is not offered through the gateway. */
  authUrl: string;
  /** The signer's `Authorization` header as it came (`Bearer <the signer's access token>`), forwarded. */
  authorization: string | undefined;
  /** Forwarded as `x-request-id`, so the signature can be followed through both services' logs. */
  requestId: string;
  /** The password the signer re-entered for this signature. */
  password: string;
  /** Default `SERVICE_CALL_TIMEOUT_MS` (5 s). */
  timeoutMs?: number;
}

/** An electronic signature auth confirmed (21 CFR Part 11 §11.50): who signed, under which printed name, when. */
export interface ConfirmedSignature {
  userId: string;
  /** The signer's printed name. */
  name: string;
  email: string;
  /** When auth verified the password: the time of signing. */
  confirmedAt: Date;
}

const CONFIRM = /* GraphQL */ `
  mutation ConfirmSignature($password: String!) { confirmSignature(password: $password) { userId name email confirmedAt } }
`;

/** The confirmation in auth's answer, or undefined when it is not one. */
function confirmationOf(data: Record<string, unknown>): ConfirmedSignature | undefined {
  const { userId, name, email, confirmedAt } = (data.confirmSignature ?? {}) as Record<string, unknown>;
  if (typeof userId !== "string" || typeof name !== "string" || typeof email !== "string" || typeof confirmedAt !== "string") return undefined;
  const at = new Date(confirmedAt);
  return Number.isNaN(at.getTime()) ? undefined : { userId, name, email, confirmedAt: at };
}

/**
 * Asks the auth subgraph to confirm an electronic signature: the password of the user whose
 * token `authorization` carries. Auth's refusals (a wrong password and no token:
 * UNAUTHENTICATED; a service token: FORBIDDEN; a signer delayed after wrong passwords:
 * TOO_MANY_REQUESTS with `retryAfter`) are thrown as `GraphQLError`s with auth's message and
 * extensions, to pass on to the signer; an auth that is down, too slow, failing inside or
 * answering garbage is a {@link ServiceUnavailableError}.
 */
export async function confirmSignature({ authUrl, authorization, requestId, password, timeoutMs }: ConfirmSignatureOptions): Promise<ConfirmedSignature> {
  const data = await callService({
    service: "auth",
    operation: "confirmSignature",
    url: authUrl,
    authorization,
    requestId,
    timeoutMs,
    query: CONFIRM,
    variables: { password },
  });
  const confirmation = confirmationOf(data);
  if (!confirmation) throw new ServiceUnavailableError("auth", "auth confirmSignature answered without a confirmation");
  return confirmation;
}
