// Follows GET /v1/inbox/stream with the npm `eventsource` client (WHATWG EventSource semantics:
// automatic reconnection with Last-Event-ID), passing the API key through its `fetch` option.
// Prints one JSON line per event or error: {type, id, data, at}.
import {EventSource} from 'eventsource'

const key = process.env.POSTERN_KEY
const es = new EventSource(process.env.POSTERN_URL + '/v1/inbox/stream', {
  fetch: (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('Authorization', `Bearer ${key}`)
    return fetch(input, {...init, headers})
  },
})
for (const type of ['connected', 'new_email', 'email_updated', 'heartbeat']) {
  es.addEventListener(type, (e) => {
    console.log(JSON.stringify({type, id: e.lastEventId, data: JSON.parse(e.data), at: Date.now()}))
  })
}
es.onerror = (e) => {
  console.log(JSON.stringify({type: 'error', message: String(e?.message ?? ''), code: e?.code ?? null, at: Date.now()}))
}
process.stdin.on('end', () => { es.close(); process.exit(0) })
process.stdin.resume()
