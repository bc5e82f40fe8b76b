import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys, useVersions } from '../api/queries'
import type { ConfigResponse, StoredFlag, StoredFlagConfig } from '../api/types'
import { flagState, formatTime, stateLabel } from '../flagState'
import { ConfirmDialog } from './ConfirmDialog'
import { DiffTable } from './DiffTable'
import { ProblemAlert } from './ProblemAlert'

/** The configuration's versions, newest first; any earlier one can be restored after a look at the diff. */
export function VersionHistory({
  flag,
  env,
  current,
}: {
  flag: StoredFlag
  env: string
  current: ConfigResponse
}) {
  const api = useAdminApi()
  const client = useQueryClient()
  const versions = useVersions(env, flag.key)
  const [target, setTarget] = useState<StoredFlagConfig | null>(null)
  const revert = useMutation({
    mutationFn: ({ version, reason }: { version: number; reason: string }) =>
      api.revert(env, flag.key, version, reason || undefined),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.config(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.configs(env) }),
        client.invalidateQueries({ queryKey: keys.versions(env, flag.key) }),
      ]),
  })
  return (
    <div>
      <ProblemAlert error={versions.error} />
      {versions.data ? (
        <table className="grid">
          <caption className="visually-hidden">
            Versions of {flag.key} in {env}
          </caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">By</th>
              <th scope="col">Served</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.data.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>{formatTime(v.updatedAt)}</td>
                <td>{v.updatedBy}</td>
                <td>{stateLabel(flagState(flag, v.config))}</td>
                <td>
                  {v.version === current.version ? (
                    <span className="muted">current</span>
                  ) : (
                    <button type="button" onClick={() => setTarget(v)}>
                      Revert to v{v.version}…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {target ? (
        <ConfirmDialog
          title={`Revert ${flag.key} in ${env} to version ${target.version}?`}
          confirmLabel={`Revert to v${target.version}`}
          danger
          reason={{ label: 'Reason', required: false }}
          onConfirm={(reason) => revert.mutateAsync({ version: target.version, reason })}
          onClose={() => setTarget(null)}
        >
          <p>
            Version {target.version} becomes a new version; nothing is lost. What changes, from now
            (v{current.version}) to after the revert:
          </p>
          <DiffTable
            before={withoutRollout(current.config)}
            after={withoutRollout(target.config)}
            beforeLabel={`Now (v${current.version})`}
            afterLabel={`After (v${target.version})`}
          />
        </ConfirmDialog>
      ) : null}
    </div>
  )
}

/** The rollout reference is the controller's; a revert keeps the current one, so the diff leaves it out. */
function withoutRollout(config: StoredFlagConfig['config']) {
  const { rollout: _, ...rest } = config
  return rest
}
