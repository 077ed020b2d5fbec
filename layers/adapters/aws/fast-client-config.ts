/**
 * Turns an AWS SDK client's resolved configuration back into a fast-properties object (issue 21).
 *
 * The SDK's config resolvers grow the client's configuration by ~50-70 properties (Object.assign, an accessor for
 * the credentials), which leaves it in V8's dictionary mode. Its middleware copies that object with a spread on
 * every request: the endpoint middleware (`{ ...config }`), the schema serializer and deserializer
 * (`{ ...config, ...context }`) and the SigV4 signer factory. A spread of a dictionary-mode object of that size
 * costs ~15-35 us on this machine, of a fast-properties one ~1-3 us: about a fifth of the SDK's own CPU per call
 * (docs/ingest-scale.md, session 13).
 *
 * V8 migrates a dictionary-mode object to fast properties when it serves as the prototype of objects whose
 * property loads its inline caches handle. So a throw-away object inherits from the configuration and reads
 * through it a few times. Nothing about the client changes: the same object, the same properties and values, the
 * same SDK code on every request, against AWS as against the emulators. Where an engine does not do this the
 * client only keeps the slower copies. test/unit/adapters/fast-client-config.test.ts pins the migration.
 */
export function withFastConfig<C extends { readonly config: object }>(client: C): C {
  const reader = Object.create(client.config) as { readonly region?: unknown };
  // V8 gives a function its inline caches only after some bytecode has run (lazy feedback allocation), and makes
  // the prototype fast on a cache miss: 64 reads were enough on Node 20 and 24 from the first client on; 1,000
  // leave room and cost ~50 us once per client.
  for (let i = 0; i < PROTOTYPE_READS; i++) void reader.region;
  return client;
}

const PROTOTYPE_READS = 1000;
