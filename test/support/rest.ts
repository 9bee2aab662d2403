import { expect } from "vitest";

/** What a test sees of one REST call. */
export interface RestResponse<TBody = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `undefined` when there is none (204). */
  body: TBody;
}

export interface RestCallOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType` (default `application/json`): malformed bodies, wrong types. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Calls one legacy REST endpoint with `fetch`, as an old client would. */
export async function rest<TBody = any>(baseUrl: string, method: string, path: string, options: RestCallOptions = {}): Promise<RestResponse<TBody>> {
  const { token, json, raw, contentType = "application/json", headers = {} } = options;
  const body = raw ?? (json === undefined ? undefined : JSON.stringify(json));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": contentType }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

/** The REST error body, for `toEqual`. */
export const restError = (code: string, message: unknown, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }) },
  request_id: expect.any(String),
});

/** Asserts an error response: its status and its whole REST error body, in one comparison. */
export function expectRestError(response: RestResponse, status: number, ...error: Parameters<typeof restError>): void {
  expect({ status: response.status, body: response.body }).toEqual({ status, body: restError(...error) });
}
