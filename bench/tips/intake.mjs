// Intake latency of a text tip, excluding the reader's proof of work: every challenge is fetched and solved first
// (untimed), then only the POST /v1/tips requests are timed. Usage: node bench/tips/intake.mjs [baseUrl] [tips] [concurrency]
// The API must run with RateLimiting__Enabled=false (the tips budget is 10 requests per address per window).
import { createHash, webcrypto } from 'node:crypto';

const [base = 'http://127.0.0.1:5080', total = '300', concurrency = '4'] = process.argv.slice(2);

async function solved() {
  const challenge = await (await fetch(`${base}/v1/tips/challenge`)).json();
  for (let number = 0; number <= challenge.maxnumber; number++) {
    if (createHash('sha256').update(challenge.salt + number).digest('hex') === challenge.challenge) {
      const { algorithm, salt, signature } = challenge;
      return Buffer.from(JSON.stringify({ algorithm, challenge: challenge.challenge, number, salt, signature })).toString('base64');
    }
  }
  throw new Error('unsolvable challenge');
}

async function timedSubmit(i, altcha) {
  const body = JSON.stringify({ message: `Bench tip ${i}: the lights on the Menai bridge are out again.`, altcha });
  const started = performance.now();
  const response = await fetch(`${base}/v1/tips`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`tip ${i}: ${response.status}`);
  return performance.now() - started;
}

async function solveTimes(maxnumber, runs) {
  // As the altcha widget hashes: one Web Crypto digest per candidate number, a whole scan (the worst case).
  const encoder = new TextEncoder();
  const times = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    for (let n = 0; n <= maxnumber; n++) await webcrypto.subtle.digest('SHA-256', encoder.encode(`0123456789abcdef01234567?expires=9999999999&${n}`));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

// Every proof is solved before the clock starts: solving blocks this process and would be timed as latency.
const proofs = [];
for (let i = 0; i <= Number(total); i++) proofs.push(await solved());
const latencies = [];
let next = 0;
await timedSubmit(-1, proofs.pop()); // one unmeasured request
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (next < Number(total)) { const i = next++; latencies.push(await timedSubmit(i, proofs[i])); }
}));
latencies.sort((a, b) => a - b);
const at = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)].toFixed(1);
console.log(`intake: ${latencies.length} text tips, ${concurrency} at a time: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
const { maxnumber } = await (await fetch(`${base}/v1/tips/challenge`)).json();
const scans = await solveTimes(maxnumber, 5);
console.log(`proof of work at maxnumber ${maxnumber} (Web Crypto, one digest per number): full scan median ${scans[2].toFixed(0)} ms; a solve averages half of that`);
