import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { applyHeapGrowth } from '../heap-growth';

/**
 * Powertools' record without the keys that repeat what every line of a function's log group says: the
 * function's ARN and memory size (its log group, its REPORT lines), the service (named after the function) and
 * the log sampling rate (0 unless set). That is about 160 of a record's 430 bytes in AWS, and CloudWatch Logs
 * bills each byte (docs/ingest-scale.md). The function's name stays: locally the functions share one logger per
 * thread and their lines one terminal; the request id ties a line to its invocation's REPORT line, the trace id
 * to its X-Ray trace.
 */
export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        cold_start: context?.coldStart,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        ...(attributes.sampleRateValue ? { sampling_rate: attributes.sampleRateValue } : {}),
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additionalLogAttributes);
  }
}

/**
 * One logger, metrics and tracer per process, shared by every handler. Log ids,
 * keys, keywords and counts: never a DICOM value or a file name.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hilum', logFormatter: new CompactLogFormatter() });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'hilum', serviceName: 'hilum' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hilum' });

// Also once per process, at every handler's init (each one reaches this module): how far V8 lets the heap grow
// between full collections, from the function's V8_HEAP_GROWING_PERCENT (heap-growth.ts).
applyHeapGrowth();

/**
 * Publishes the invocation's metrics, if it recorded any. Powertools' logMetrics
 * warns on every invocation that recorded none, which is most API calls.
 */
export const publishMetrics = () => {
  const publish = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
};
