// The load generator of bench/load.ts, in its own process so that its CPU use is measured apart
// from the server's. Reads a JSON job from argv[2]: { url, headers, connections, durationS,
// rate (requests/s over all connections: open loop) or null (closed loop) }. Latency
// percentiles come from every response's time (ms); prints one JSON line.
import autocannon from 'autocannon';

const job = JSON.parse(process.argv[2]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const latenciesMs = [];
const result = await new Promise((resolve, reject) => {
  const instance = autocannon(
    { url: job.url, headers: job.headers, connections: job.connections, duration: job.durationS, timeout: 10, ...(job.rate ? { overallRate: job.rate } : {}) },
    (err, res) => (err ? reject(err) : resolve(res)),
  );
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => latenciesMs.push(responseTimeMs));
});
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
latenciesMs.sort((a, b) => a - b);
const pct = (p) => (latenciesMs.length ? Math.round(latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))] * 10) / 10 : null);
console.log(
  JSON.stringify({
    p50Ms: pct(50),
    p95Ms: pct(95),
    p99Ms: pct(99),
    requestsPerS: Math.round((result.requests.total / wallS) * 10) / 10,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + (result.non2xx ?? 0),
    generatorCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 100),
  }),
);
