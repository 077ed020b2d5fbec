import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  FHIR_EXPORT_REQUESTED,
  INTAKE_REDRIVE,
  PIPELINE_EVENT_SOURCE,
  SUBMISSION_READY,
  intakeRedriveDetail,
  type FhirExportRequestedDetail,
  type SubmissionReadyDetail,
} from '../../pipeline/events';
import { TransientError } from '../../common/errors';

/** Announces pipeline milestones on the hilum event bus; rules route them to workflows. */
export class PipelineEvents {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async submissionReady(detail: SubmissionReadyDetail): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: this.busName, Source: PIPELINE_EVENT_SOURCE, DetailType: SUBMISSION_READY, Detail: JSON.stringify(detail) },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new TransientError('the pipeline event was not accepted');
  }

  /** Starts a FHIR export job's workflow. */
  async fhirExportRequested(detail: FhirExportRequestedDetail): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: this.busName, Source: PIPELINE_EVENT_SOURCE, DetailType: FHIR_EXPORT_REQUESTED, Detail: JSON.stringify(detail) },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new TransientError('the pipeline event was not accepted');
  }

  /** Sends intake objects' "Object Created" again (detail in S3's shape), ten entries a call as PutEvents allows. */
  async redriveIntake(bucket: string, objects: readonly { key: string; size: number }[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < objects.length; i += 10) {
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: objects.slice(i, i + 10).map((o) => ({
            EventBusName: this.busName,
            Source: PIPELINE_EVENT_SOURCE,
            DetailType: INTAKE_REDRIVE,
            Detail: JSON.stringify(intakeRedriveDetail(bucket, o)),
          })),
        }),
      );
      failed += result.FailedEntryCount ?? 0;
    }
    return failed;
  }
}
