export { callOpenApi, parseEndpoint, type OpenApiAnswer, type OpenApiCall } from './call';
export { OpenApiError, OpenApiNetworkError, OpenApiTimeoutError } from './errors';
export { percentEncode, signV3 } from './signature';
