import { createContext, type ReactNode, useContext } from 'react'
import type { AdminApi } from './adminApi'
import type { AdminEvents } from './adminEvents'

interface AdminContext {
  api: AdminApi
  events: AdminEvents
}

const Context = createContext<AdminContext | null>(null)

/** Gives the pages the signed-in admin API client and its event stream. */
export function AdminApiProvider({
  api,
  events,
  children,
}: AdminContext & { children: ReactNode }) {
  return <Context.Provider value={{ api, events }}>{children}</Context.Provider>
}

function useAdminContext(): AdminContext {
  const context = useContext(Context)
  if (!context)
    throw new Error('wrap the page in <AdminApiProvider> (it needs a signed-in admin API)')
  return context
}

/** The admin API client of the signed-in session. */
export function useAdminApi(): AdminApi {
  return useAdminContext().api
}

/** The admin event stream of the signed-in session. */
export function useAdminEvents(): AdminEvents {
  return useAdminContext().events
}
