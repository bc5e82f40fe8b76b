import { arch, cpus, totalmem, type } from 'node:os'

/** The machine a run happened on, for the tables' captions. */
export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  os: string
  node: string
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const cpuList = cpus()
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${arch()}`,
    node: process.version,
  }
}
