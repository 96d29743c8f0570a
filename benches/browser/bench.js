// In-page sign throughput: thingcall signRpc and presign beside crypto-js and WebCrypto signers,
// in one page and one run. `window.benchResult` holds the JSON when done.
import init, { signRpc, IotClient } from '../pkg/thingcall.js';
import { loadExtras } from '../pkg/extras.js';
import { VECTOR_A, VECTOR_A_GET, SECRET, cryptoJsSigner, webCryptoSigner, measureAll, checkPresigned } from './signers.js';

async function run() {
  await init();
  await loadExtras(); // presign

  const client = new IotClient({ endpoint: `${location.origin}/`, accessKeyId: 'testid', accessKeySecret: SECRET, method: 'GET' });
  const presignParams = { ProductKey: 'a1LampDemo0', DeviceName: 'lamp-01', Identifier: 'Echo', Args: '{"text":"hi"}' };
  const signers = {
    'thingcall signRpc': (p) => signRpc({ method: 'GET', params: p, accessKeySecret: SECRET }).signature,
    'thingcall presign': () => client.presign('InvokeThingService', presignParams),
    'crypto-js': cryptoJsSigner(window.CryptoJS),
    WebCrypto: await webCryptoSigner(crypto.subtle),
  };
  // Everyone must produce vector A's signature first.
  for (const [name, fn] of Object.entries(signers)) {
    if (name === 'thingcall presign') {
      checkPresigned(fn(), signers['crypto-js']);
      continue;
    }
    const sig = await fn(VECTOR_A);
    if (sig !== VECTOR_A_GET) throw new Error(`${name} gives ${sig}, not vector A's ${VECTOR_A_GET}`);
  }
  const results = await measureAll(signers);
  return { userAgent: navigator.userAgent, results };
}

run().then(
  (r) => { window.benchResult = r; document.getElementById('out').textContent = JSON.stringify(r, null, 2); },
  (e) => { window.benchResult = { error: String(e?.stack ?? e) }; document.getElementById('out').textContent = String(e); },
);
