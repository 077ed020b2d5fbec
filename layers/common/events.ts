import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PIPELINE_EVENT_SOURCE, SUBMISSION_READY, SubmissionReadyDetail } from '../../workflows/contracts';
import { TransientError } from './errors';

/** Announces pipeline milestones on the hilum event bus; rules route them to workflows. */
export class PipelineEvents {
  constructor(private readonly client: EventBridgeClient, private readonly busName: string) {}

  async submissionReady(detail: SubmissionReadyDetail): Promise<void> {
    const result = await this.client.send(new PutEventsCommand({
      Entries: [{ EventBusName: this.busName, Source: PIPELINE_EVENT_SOURCE, DetailType: SUBMISSION_READY, Detail: JSON.stringify(detail) }],
    }));
    if (result.FailedEntryCount) throw new TransientError('the pipeline event was not accepted');
  }
}
