/**
 * A frontend's dashboard query: the graph's deepest real selection
 * (`batches → edges → node → history → changedBy → name`, 6 levels), with references resolved
 * by the user subgraph. Operation limits must let it through; benchmarks time it.
 */
export const DASHBOARD_QUERY = /* GraphQL */ `
  query Dashboard($first: Int = 5) {
    batches(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id batchNumber status createdBy { id name } history { toStatus changedBy { name email } } } }
    }
    me { id name roles }
  }
`;
