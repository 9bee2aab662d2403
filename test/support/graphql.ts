/** The JSON body of a GraphQL response. */
export interface GraphQLBody<TData = Record<string, any>> {
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** What a test sees of one GraphQL call over HTTP. */
export interface GraphQLResult<TData = Record<string, any>> extends GraphQLBody<TData> {
  status: number;
  headers: Headers;
}

/**
 * POSTs one operation to `<baseUrl>/graphql` with `fetch`, as a browser client would, with
 * the bearer token when one is given.
 */
export async function graphql<TData = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<TData>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLBody<TData>;
  return { status: response.status, headers: response.headers, ...body };
}

/** Reads one counter (summed over its labels) from a service's Prometheus `/metrics`. */
export async function readCounter(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}
