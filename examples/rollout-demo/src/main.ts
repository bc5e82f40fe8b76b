import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { DEFAULT_DEMO_OPTIONS, RolloutDemo, type RolloutDemoOptions } from './rolloutDemo'

const USAGE = `usage: pnpm demo [-- options]
  --instances <n>       checkout instances (default ${DEFAULT_DEMO_OPTIONS.instances})
  --rate <n>            checkouts per second over all instances (default ${DEFAULT_DEMO_OPTIONS.ratePerSec})
  --users <n>           distinct users (default ${DEFAULT_DEMO_OPTIONS.users})
  --stage-sec <n>       minimum seconds per stage (default ${DEFAULT_DEMO_OPTIONS.stageSec})
  --fail-rate <share>   both checkouts fail this share (default ${DEFAULT_DEMO_OPTIONS.baseFailRate})
  --bug-rate <share>    the buggy new checkout fails this share more (default ${DEFAULT_DEMO_OPTIONS.bugFailRate})
  --signals-ms <n>      signals period of the instances (default ${DEFAULT_DEMO_OPTIONS.signalsIntervalMs})
  --timeout-sec <n>     longest a story may take (default ${DEFAULT_DEMO_OPTIONS.storyTimeoutSec})
  --result-file <path>  also write the outcome as JSON there`

function readOptions(
  argv: string[],
): { options: RolloutDemoOptions; resultFile?: string } | string {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  const v = parsed.values
  const number = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value)
  const options: RolloutDemoOptions = {
    instances: number(v.instances, DEFAULT_DEMO_OPTIONS.instances),
    ratePerSec: number(v.rate, DEFAULT_DEMO_OPTIONS.ratePerSec),
    users: number(v.users, DEFAULT_DEMO_OPTIONS.users),
    stageSec: number(v['stage-sec'], DEFAULT_DEMO_OPTIONS.stageSec),
    baseFailRate: number(v['fail-rate'], DEFAULT_DEMO_OPTIONS.baseFailRate),
    bugFailRate: number(v['bug-rate'], DEFAULT_DEMO_OPTIONS.bugFailRate),
    signalsIntervalMs: number(v['signals-ms'], DEFAULT_DEMO_OPTIONS.signalsIntervalMs),
    storyTimeoutSec: number(v['timeout-sec'], DEFAULT_DEMO_OPTIONS.storyTimeoutSec),
    out: (line) => console.log(line),
  }
  const problems = [
    Number.isInteger(options.instances) && options.instances >= 1
      ? ''
      : '--instances: a whole number ≥ 1',
    options.ratePerSec > 0 ? '' : '--rate: a number > 0',
    Number.isInteger(options.users) && options.users >= 1 ? '' : '--users: a whole number ≥ 1',
    Number.isInteger(options.stageSec) && options.stageSec >= 0
      ? ''
      : '--stage-sec: a whole number ≥ 0',
    options.baseFailRate >= 0 && options.baseFailRate < 1 ? '' : '--fail-rate: a share from 0 to 1',
    options.bugFailRate > 0 && options.bugFailRate <= 1
      ? ''
      : '--bug-rate: a share above 0, at most 1',
    options.signalsIntervalMs >= 100 ? '' : '--signals-ms: at least 100',
    options.storyTimeoutSec > 0 ? '' : '--timeout-sec: a number > 0',
  ].filter((p) => p !== '')
  if (problems.length > 0) return problems.join('\n')
  return v['result-file'] === undefined ? { options } : { options, resultFile: v['result-file'] }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      instances: { type: 'string' },
      rate: { type: 'string' },
      users: { type: 'string' },
      'stage-sec': { type: 'string' },
      'fail-rate': { type: 'string' },
      'bug-rate': { type: 'string' },
      'signals-ms': { type: 'string' },
      'timeout-sec': { type: 'string' },
      'result-file': { type: 'string' },
    },
  })
}

// pnpm passes a lone `--` through to the script.
const read = readOptions(process.argv.slice(2).filter((a) => a !== '--'))
if (typeof read === 'string') {
  console.error(`${read}\n\n${USAGE}`)
  process.exit(2)
}

const demo = new RolloutDemo(read.options)
let interrupted = false
const interrupt = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(130)
  interrupted = true
  console.log(`\n${signal}: stopping the demo's processes…`)
  demo.dispose().finally(() => process.exit(130))
}
process.on('SIGINT', interrupt)
process.on('SIGTERM', interrupt)

try {
  const result = await demo.run()
  await demo.dispose()
  if (read.resultFile !== undefined) {
    await writeFile(read.resultFile, `${JSON.stringify(result, null, 2)}\n`)
  }
  process.exit(result.success ? 0 : 1)
} catch (error) {
  if (!interrupted) {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`)
    await demo.dispose()
    process.exit(1)
  }
}
