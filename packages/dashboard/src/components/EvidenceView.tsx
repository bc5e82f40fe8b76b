import type { StageEvidence } from '../api/types'

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3))
const pct = (rate: number) => `${(rate * 100).toFixed(2)} %`

/**
 * Where the sequential test stands: `M` against `1/α`. The meter is
 * logarithmic, as the evidence is (each bad event multiplies `M`).
 */
export function TestStatistic({
  test,
  label = 'Error test',
}: {
  test: StageEvidence['errorTest']
  label?: string
}) {
  const share = Math.max(
    0,
    Math.min(1, Math.log1p(test.peakStatistic) / Math.log1p(test.threshold)),
  )
  return (
    <div className={`statistic${test.alarm ? ' alarm' : ''}`}>
      <p>
        <strong>{label}:</strong> M = {num(test.statistic)} (peak {num(test.peakStatistic)}) against
        the threshold 1/α = {num(test.threshold)} {test.alarm ? '— the alarm fired' : '— no alarm'}
      </p>
      <meter
        min={0}
        max={1}
        low={0.5}
        high={0.8}
        optimum={0}
        value={share}
        aria-label={`${label}: peak M ${num(test.peakStatistic)} of the threshold ${num(test.threshold)}`}
      />
      <p className="small muted">
        {num(test.treatmentBad)} bad events in treatment where {num(test.expectedTreatmentBad)} were
        expected at control's rate; tolerance {pct(test.tolerance)}, α = {test.alpha},{' '}
        {test.batches} batches.
      </p>
    </div>
  )
}

/** Everything a decision rested on, as a table a person can check. */
export function EvidenceView({ evidence }: { evidence: StageEvidence }) {
  return (
    <div className="evidence">
      <table className="grid small">
        <caption className="visually-hidden">
          Counts of stage {evidence.stageIndex + 1} per arm
        </caption>
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col">Exposures</th>
            <th scope="col">Errors</th>
            <th scope="col">Units with errors</th>
            <th scope="col">Bad events</th>
            <th scope="col">Bad-event rate</th>
          </tr>
        </thead>
        <tbody>
          {(['treatment', 'control'] as const).map((arm) => (
            <tr key={arm}>
              <th scope="row">{arm}</th>
              <td>{evidence[arm].exposures}</td>
              <td>{evidence[arm].errors}</td>
              <td>{evidence[arm].errorUnits}</td>
              <td>{evidence[arm].badEvents}</td>
              <td>{pct(evidence[arm].badRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TestStatistic test={evidence.errorTest} />
      {evidence.latency ? (
        <TestStatistic
          test={evidence.latency.test}
          label={`Latency test (over ${evidence.latency.effectiveThresholdMs} ms)`}
        />
      ) : null}
      <dl className="facts small">
        <dt>Evidence for promotion</dt>
        <dd>
          {num(evidence.expectedBadEvents)} of {num(evidence.minEvidence)} expected bad events
        </dd>
        <dt>Stage time</dt>
        <dd>
          {Math.floor(evidence.elapsedSec)} s of a minimum {evidence.minDurationSec} s
          {evidence.maxDurationSec === null ? '' : ` (maximum ${evidence.maxDurationSec} s)`}
        </dd>
        <dt>Sample ratio</dt>
        <dd>
          treatment got {pct(evidence.sampleRatio.observedShare)} of exposures, configured{' '}
          {pct(evidence.sampleRatio.configuredShare)}
          {evidence.sampleRatio.alarm ? ' — mismatch' : ''}
        </dd>
        <dt>Local guard trips</dt>
        <dd>{evidence.tripped}</dd>
      </dl>
    </div>
  )
}
