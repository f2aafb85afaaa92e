// Cucumber's own JUnit XML formatter (@cucumber/junit-xml-formatter), with one change: the
// skipped test case of a confirmed known defect carries the defect as its message, so that
// CI dashboards show why it is skipped. The judgement comes from the attachment that
// support/cucumber/known-defects.ts adds (media type below, the same as KNOWN_DEFECT_MEDIA_TYPE
// in support/base/ledger-rules.ts); every other message passes through untouched. Plain
// JavaScript: Cucumber loads formatters before its TypeScript loader.
import junitModule from '@cucumber/junit-xml-formatter';

const junit = junitModule.default ?? junitModule;

export const KNOWN_DEFECT_MEDIA_TYPE = 'application/vnd.gmp-acceptance.known-defect+json';

/** Adds the defect's sentence to the skipped steps that follow a confirmed known defect. */
export function withDefectReasons() {
  const reasons = new Map(); // testCaseStartedId -> reason
  return (message) => {
    const attachment = message.attachment;
    if (attachment?.mediaType === KNOWN_DEFECT_MEDIA_TYPE && attachment.testCaseStartedId) {
      const judgement = JSON.parse(attachment.body);
      if (judgement.outcome === 'confirmed') {
        reasons.set(attachment.testCaseStartedId, `Known defect "${judgement.id}" (expected failure): ${judgement.defect}\n\n${judgement.error ?? ''}`);
      }
      return message;
    }
    const finished = message.testStepFinished;
    const reason = finished && reasons.get(finished.testCaseStartedId);
    if (reason && finished.testStepResult.status === 'SKIPPED') {
      return { ...message, testStepFinished: { ...finished, testStepResult: { ...finished.testStepResult, message: reason } } };
    }
    return message;
  };
}

export default {
  type: 'formatter',
  optionsKey: 'junit',
  formatter(context) {
    const transform = withDefectReasons();
    return junit.formatter({ ...context, on: (key, handler) => context.on(key, (message) => handler(transform(message))) });
  },
};
