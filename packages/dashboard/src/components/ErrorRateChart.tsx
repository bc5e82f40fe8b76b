import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { SignalBucketView } from '../api/types'

/** One point of the chart: a bucket's error rate per arm. */
export interface RatePoint {
  t: number
  treatment: number | null
  control: number | null
  treatmentExposures: number
  controlExposures: number
}

/** Treatment's and control's error rates (errors / exposures) per bucket between two times. */
export function ratePoints(
  buckets: SignalBucketView[],
  arms: { treatment: string; control: string },
  from: number,
  to: number,
  bucketMs: number,
): RatePoint[] {
  const byTime = new Map<number, RatePoint>()
  for (const bucket of buckets) {
    const t = Date.parse(bucket.bucketStart)
    if (t + bucketMs <= from || t > to) continue
    const side =
      bucket.variant === arms.treatment
        ? 'treatment'
        : bucket.variant === arms.control
          ? 'control'
          : null
    if (!side) continue
    const point = byTime.get(t) ?? {
      t,
      treatment: null,
      control: null,
      treatmentExposures: 0,
      controlExposures: 0,
    }
    point[side] = bucket.exposures > 0 ? bucket.errors / bucket.exposures : null
    point[side === 'treatment' ? 'treatmentExposures' : 'controlExposures'] = bucket.exposures
    byTime.set(t, point)
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

const time = (t: number) => new Date(t).toLocaleTimeString()
const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(2)} %`)

/**
 * Error rates over time, treatment against control, with the numbers in a
 * table below for keyboard and screen-reader users.
 */
export function ErrorRateChart({ points, label }: { points: RatePoint[]; label: string }) {
  if (points.length === 0) return <p className="muted">No signals in this stage yet.</p>
  const worst = points.reduce((m, p) => Math.max(m, p.treatment ?? 0, p.control ?? 0), 0)
  return (
    <figure className="chart">
      <div
        role="img"
        aria-label={`${label}: ${points.length} points, treatment's latest ${pct(points.at(-1)?.treatment ?? null)}, control's ${pct(points.at(-1)?.control ?? null)}`}
        style={{ width: '100%', height: 220 }}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid stroke="#d0d7de" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              domain={['dataMin', 'dataMax']}
              scale="time"
              tickFormatter={time}
              stroke="#424a53"
            />
            <YAxis
              tickFormatter={(v: number) => `${Math.round(v * 1000) / 10} %`}
              domain={[0, Math.max(0.01, Math.ceil(worst * 110) / 100)]}
              stroke="#424a53"
              width={56}
            />
            <Tooltip
              labelFormatter={(t) => time(Number(t))}
              formatter={(v) => pct(typeof v === 'number' ? v : null)}
            />
            <Legend />
            <Line
              type="monotone"
              dataKey="treatment"
              name="treatment"
              stroke="#b42318"
              strokeWidth={2}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="control"
              name="control"
              stroke="#175cd3"
              strokeWidth={2}
              strokeDasharray="6 3"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption>
        <details>
          <summary>{label}: the numbers</summary>
          <table className="grid small">
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col">Treatment error rate</th>
                <th scope="col">Treatment exposures</th>
                <th scope="col">Control error rate</th>
                <th scope="col">Control exposures</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.t}>
                  <td>{time(p.t)}</td>
                  <td>{pct(p.treatment)}</td>
                  <td>{p.treatmentExposures}</td>
                  <td>{pct(p.control)}</td>
                  <td>{p.controlExposures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  )
}
