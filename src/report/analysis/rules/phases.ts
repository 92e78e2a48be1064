import type { EndpointResult } from '../../../stats/index.js';
import type { AnalysisContext } from '../context.js';
import { count, evidence, ms, pct, ratio } from '../format.js';
import { THRESHOLDS } from '../thresholds.js';
import type { Finding } from '../types.js';

/** Mean time per request in each phase: connect and TLS spread over every request. */
function breakdown(e: EndpointResult) {
  const p = e.phases;
  if (!p || e.requests === 0 || e.latencyMs.mean <= 0) return null;
  const perConnection = p.connectMs.mean + p.tlsMs.mean;
  // A redirect's hops may each open a connection: more than one per request (#26).
  const connections = p.newConnections / e.requests;
  const handshake = perConnection * connections;
  const mean = e.latencyMs.mean;
  return {
    mean,
    ttfb: p.ttfbMs.mean,
    ttfbShare: p.ttfbMs.mean / mean,
    handshake,
    handshakeShare: handshake / mean,
    perConnection,
    connections,
    blocked: p.blockedMs.mean,
    blockedShare: p.blockedMs.mean / mean,
    // Results before #26 have no count, and their blocked was a remainder: no evidence.
    waited: p.waited ?? 0,
    tls: p.tlsMs.max > 0,
  };
}

/**
 * Where the time went, from the timing phases: the server (time to first byte) when latency is
 * a problem, connections that cost too much (connect and TLS), connections not kept alive, and
 * requests queued before they went out. Quiet without phases.
 */
export function phases(context: AnalysisContext): Finding[] {
  const { totals } = context.result;
  const all = breakdown(totals);
  if (!all) return [];
  const findings: Finding[] = [];
  if (context.latencyProblem && all.ttfbShare >= THRESHOLDS.ttfbShare) {
    const worst = context.endpoints
      .filter((e) => e.phases)
      .sort((a, b) => (b.phases?.ttfbMs.p95 ?? 0) - (a.phases?.ttfbMs.p95 ?? 0))
      .slice(0, 3);
    findings.push({
      id: 'slow-server',
      severity: 'info',
      title: `The server's time dominates latency (${pct(all.ttfbShare)} is time to first byte)`,
      detail: `Of a mean ${ms(all.mean)} per request, ${ms(all.ttfb)} passed between sending the request and its first byte: the time is spent in the service, not on connections (${ms(all.handshake)}) or in transfer.${worst.length ? ` Slowest to answer (TTFB p95): ${worst.map((e) => `${e.key} ${ms(e.phases?.ttfbMs.p95 ?? 0)}`).join(', ')}.` : ''}`,
      evidence: [
        evidence.ms('mean latency', all.mean),
        evidence.ms('mean time to first byte', all.ttfb),
        evidence.share('time to first byte share', all.ttfbShare),
        evidence.ms('mean connect and TLS per request', all.handshake),
        ...worst.map((e) => evidence.ms(`${e.key} TTFB p95`, e.phases?.ttfbMs.p95 ?? 0)),
      ],
      recommendation: [
        'Profile the service under this load: `fiml-perf run --profile` (or `fiml-perf profile --host URL --inspect http://127.0.0.1:9229` for a service started with node --inspect)',
        'Check the cache hit rate and slow queries of the slowest endpoints',
      ],
      action: {
        text: 'Profile the service: the time is spent in it',
        command: 'fiml-perf run --profile',
      },
    });
  }
  if (
    all.handshakeShare >= THRESHOLDS.handshakeShare &&
    all.perConnection >= THRESHOLDS.handshakeMinMs
  )
    findings.push({
      id: 'slow-connections',
      severity: 'warning',
      title: `Opening connections costs ${pct(all.handshakeShare)} of latency`,
      detail: `A new connection took ${ms(all.perConnection)} to open${all.tls ? ' (TCP connect and TLS handshake)' : ''}, and requests opened ${ratio(all.connections)} new connections each: ${ms(all.handshake)} of the mean ${ms(all.mean)}. Slow connects point at the network, a proxy or a server accepting slowly; slow handshakes at TLS settings (key size, no session resumption).`,
      evidence: [
        evidence.ms('connect and TLS per new connection', all.perConnection),
        evidence.ratio('new connections per request', all.connections),
        evidence.ms('connect and TLS per request', all.handshake),
        evidence.share('share of mean latency', all.handshakeShare),
      ],
      recommendation: [
        'Keep connections alive so fewer requests pay for them',
        ...(all.tls
          ? [
              'Check the TLS setup: certificate chain length, key type (ECDSA is cheaper), session resumption',
            ]
          : []),
        'Check the path to the server: a proxy or load balancer in between, DNS',
      ],
      action: {
        text: `Make connections cheaper (${ms(all.perConnection)} each) or fewer`,
        doc: 'docs/load.md#how-connections-are-made',
      },
    });
  if (
    totals.requests >= THRESHOLDS.minRequestsForConnections &&
    all.connections >= THRESHOLDS.newConnectionsPerRequest
  ) {
    const newConnections = totals.phases?.newConnections ?? 0;
    findings.push({
      id: 'no-keep-alive',
      severity: 'warning',
      title: `Requests opened ${ratio(all.connections)} new connections each`,
      detail: `${count(newConnections)} connections were opened for ${count(totals.requests)} requests: connections are not kept alive between requests, so each pays for a connect${all.tls ? ' and a TLS handshake' : ''}. Either the server closes them (Connection: close, a keep-alive timeout shorter than the users' think time) or each user makes only a request or two.`,
      evidence: [
        evidence.count('new connections', newConnections),
        evidence.count('requests', totals.requests),
        evidence.ratio('new connections per request', all.connections),
        evidence.count('users (peak)', context.peakUsers),
      ],
      recommendation: [
        "Check the server's keep-alive: a `Connection: close` answer, or a keep-alive timeout shorter than the think time between a user's requests",
        'Check a proxy or load balancer in between closes idle connections early',
        'If users really make one request each, that is the traffic: connect cost is part of it',
      ],
      action: {
        text: 'Keep connections alive between requests',
        doc: 'docs/load.md#how-connections-are-made',
      },
    });
  }
  // Only on evidence: requests that waited for a connection (#26), not time spent elsewhere.
  if (all.waited > 0 && all.blockedShare >= THRESHOLDS.blockedShare)
    findings.push({
      id: 'queued-requests',
      severity: 'warning',
      title: `Requests waited ${ms(all.blocked)} on average before they went out`,
      detail: `${count(all.waited)} requests (${pct(all.waited / totals.requests)}) waited for a connection: a user had more requests in flight than connections (six per origin), so they queued behind each other. That wait is ${pct(all.blockedShare)} of the mean latency, and it is the client's, not the server's.`,
      evidence: [
        evidence.count('requests that waited for a connection', all.waited),
        evidence.ms('mean time blocked', all.blocked),
        evidence.share('share of mean latency', all.blockedShare),
        evidence.ms('blocked p95', totals.phases?.blockedMs.p95 ?? 0),
      ],
      recommendation: [
        'Fewer concurrent requests per user (a Promise.all over many requests), or more users',
      ],
      action: {
        text: 'Stop requests queueing in the client',
        doc: 'docs/load.md#how-connections-are-made',
      },
    });
  return findings;
}
