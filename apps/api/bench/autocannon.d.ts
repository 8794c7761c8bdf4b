// The few parts of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface AutocannonRequest {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Rewrites each request before it is sent (a fresh body, other headers). */
      setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
    }
    interface AutocannonClient {
      setRequests(requests: AutocannonRequest[]): void;
    }
    interface AutocannonOptions extends AutocannonRequest {
      url: string;
      connections?: number;
      duration?: number;
      requests?: AutocannonRequest[];
      setupClient?: (client: AutocannonClient) => void;
    }
    interface AutocannonResult {
      duration: number;
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
      latency: { p50: number; p99: number };
      /** Requests per second (`average`) and answered in all (`total`). */
      requests: { average: number; total: number };
    }
  }
  function autocannon(
    options: autocannon.AutocannonOptions,
  ): Promise<autocannon.AutocannonResult>;
  export = autocannon;
}
