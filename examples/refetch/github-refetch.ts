import { createEventRouter } from 'webhook-inbox'
import type { GitHubEvents } from 'webhook-inbox/events/github'

/** Issues as your database keeps them: the state GitHub's REST API returns now. */
export const issues = new Map<string, string>()

export function githubRefetchRouter(api: { baseUrl: string; token: string }) {
  return createEventRouter<GitHubEvents>({ unrouted: 'ignore' }).on('issues.*', async (event) => {
    const { repository, issue } = event.payload
    const url = `${api.baseUrl}/repos/${repository.full_name}/issues/${issue.number}`
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${api.token}`, accept: 'application/vnd.github+json' },
    })
    if (!response.ok) throw new Error(`GitHub answered ${response.status}; the worker retries`)
    const current = (await response.json()) as { state: string }
    issues.set(`${repository.full_name}#${issue.number}`, current.state)
  })
}
