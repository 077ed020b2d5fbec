import { applyEnvironment, localOverrides } from '../../../local/environment';

const endpoints = {
  s3: 'http://127.0.0.1:1',
  dynamodb: 'http://127.0.0.1:2',
  services: 'http://127.0.0.1:3',
  apiUrl: 'http://127.0.0.1:4',
};
const auth = { issuer: 'local', audience: 'hilum', jwksUrl: 'http://127.0.0.1:4/jwks' };
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' };

/** Whether importing the handlers' tracer under these variables leaves X-Ray's async-hook namespace active. */
function xrayNamespaceAfterImport(vars: Record<string, string | undefined>): boolean {
  const restore = applyEnvironment(vars);
  try {
    let active = false;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@aws-lambda-powertools/tracer');
      const namespaces = (process as { namespaces?: Record<string, unknown> }).namespaces ?? {};
      active = Boolean(namespaces.AWSXRay);
      if (namespaces.AWSXRay) namespaces.AWSXRay = null;
    });
    return active;
  } finally {
    restore();
  }
}

describe('the local handlers environment', () => {
  it('keeps the X-Ray SDK out of automatic mode, so no async hook tracks every promise of the process', () => {
    expect(xrayNamespaceAfterImport(localOverrides(endpoints, auth, credentials))).toBe(false);
  });

  it('leaves X-Ray in automatic mode where the variable is not set, as in AWS (control)', () => {
    expect(xrayNamespaceAfterImport({ AWS_XRAY_MANUAL_MODE: undefined, POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(true);
  });
});
