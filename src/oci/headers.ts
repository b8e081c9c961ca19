/** Sent on every /v2 response; docker checks it to know it talks to a v2 registry. */
export const API_VERSION_HEADERS = {
  "Docker-Distribution-API-Version": "registry/2.0",
} as const;
