// The thingcall demo dashboard: everything it shows comes from the API through IotClient.
import init, { IotClient } from '../pkg/thingcall.js';
import { loadExtras } from '../pkg/extras.js';

const $ = (id) => document.getElementById(id);

const state = {
  client: null,
  refreshTimer: null,
  productKey: '',
  models: new Map(), // productKey -> { services, properties }
  device: null, // { deviceName, status }
  devices: [], // the product's devices, as devices() listed them
  historyRun: null, // the AbortController of the history being read
  range: 3_600_000, // the chart's range, ms back from now
  chartPoints: [], // [time, value] the chart draws
  live: null, // the EventSource of /events
  noBackend: false, // /sts answered 404: served without a backend
  fleet: [], // [{ deviceName, online, values: { identifier: value } }] of the product
  fleetRun: null, // the AbortController of the bulk call running
};

// ---------- small DOM helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children);
  return node;
}

function setStatus(text, kind = '') {
  const s = $('status');
  s.textContent = text;
  s.className = `status ${kind}`;
}

function timeOf(ms) {
  return new Date(ms).toLocaleTimeString();
}

// ---------- the call log ----------

/** Runs one API call, records it in the call log, and rethrows failures. */
async function logged(action, device, fn) {
  const t0 = performance.now();
  let outcome = 'ok';
  try {
    return await fn();
  } catch (e) {
    outcome = e?.name === 'ThingcallError' ? e.outcome : 'error';
    throw e;
  } finally {
    const ms = Math.round(performance.now() - t0);
    const row = el('tr', {},
      el('td', { text: timeOf(Date.now()) }),
      el('td', { text: action }),
      el('td', { text: device || '—' }),
      el('td', {}, el('span', { class: `badge ${outcome}`, text: outcome })),
      el('td', { text: String(ms) }));
    $('log').prepend(row);
    while ($('log').children.length > 200) $('log').lastChild.remove();
  }
}

function describeError(e) {
  if (e?.name === 'ThingcallError') return `${e.code} (${e.outcome}): ${e.message}`;
  return String(e?.message ?? e);
}

// ---------- connection ----------

/** Temporary credentials from the page's own backend (deploy/backend): it holds the long-lived key. */
async function fromBackend() {
  const r = await fetch('/sts', { method: 'POST', cache: 'no-store' });
  if (!r.ok) {
    state.noBackend = r.status === 404 || r.status === 405; // a static server without /sts
    throw new Error(state.noBackend ? 'there is no /sts on this site' : `/sts answered HTTP ${r.status}`);
  }
  const c = await r.json();
  $('sts-info').textContent = `Temporary key ${c.accessKeyId.slice(0, 12)}… expires ${new Date(c.expiration).toLocaleTimeString()}; renewed before then.`;
  return c;
}

function makeClient() {
  const endpoint = $('endpoint').value.trim();
  const method = $('method').value;
  clearInterval(state.refreshTimer);
  if (credMode() === 'static') {
    $('sts-info').textContent = 'Signing with the AccessKey typed here: for an emulator or a platform you reach directly. A deployed dashboard takes temporary keys from its backend.';
    return new IotClient({ endpoint, method, accessKeyId: $('akid').value.trim(), accessKeySecret: $('aksecret').value });
  }
  const client = new IotClient({ endpoint, method, credentials: () => logged('/sts', '', fromBackend) });
  // Keeps the temporary key fresh while the page is open (a no-op until it is due).
  state.refreshTimer = setInterval(() => client.refreshCredentials().catch(() => {}), 30_000);
  return client;
}

const credMode = () => document.querySelector('input[name=credmode]:checked').value;

function showKeyFields() {
  $('key-fields').hidden = credMode() !== 'static';
  for (const id of ['akid', 'aksecret']) $(id).required = credMode() === 'static';
}

/** The client's self-test, one line per check, with the advice where there is some. */
async function showSelfTest(client) {
  const list = $('self-test');
  const report = await client.selfTest();
  if (client !== state.client) return;
  list.replaceChildren(...report.checks.map((c) => el('li', { 'data-testid': `self-test-${c.name}` },
    el('span', { class: `badge ${c.status}`, text: c.status }), ' ',
    el('strong', { text: c.name }), ` ${c.detail}`,
    c.advice ? el('p', { class: 'hint', text: c.advice }) : '')));
  list.hidden = false;
}

async function connect() {
  setStatus('Connecting…');
  $('self-test').hidden = true;
  try {
    state.client = makeClient();
    state.models.clear();
    await loadProducts();
    showSelfTest(state.client).catch(showError);
    if (document.querySelector('input[name=credmode][value=sts]').checked) startLive();
  } catch (e) {
    if (e?.code === 'CredentialsError' && state.noBackend) {
      // Served without a backend (the emulator's own static files): offer the typed key.
      document.querySelector('input[name=credmode][value=static]').click();
      $('endpoint').value = `${location.origin}/`;
      setStatus('Not connected: no backend here; enter an AccessKey', 'bad');
    } else {
      setStatus(`Not connected: ${e?.code ?? 'Error'}`, 'bad');
      // What works and what does not, with advice.
      if (state.client) showSelfTest(state.client).catch(() => {});
    }
    showError(e);
  }
}

// ---------- products, devices, thing model ----------

async function loadProducts() {
  const r = await logged('QueryProductList', '', () => state.client.call('QueryProductList', { PageSize: 50, CurrentPage: 1 }));
  const products = r.data.List.ProductInfo;
  $('product').replaceChildren(...products.map((p) => el('option', { value: p.ProductKey, text: `${p.ProductName} (${p.ProductKey})` })));
  if (products.length) await selectProduct(products[0].ProductKey);
}

async function model(productKey) {
  if (!state.models.has(productKey)) {
    const r = await logged('QueryThingModel', '', () => state.client.call('QueryThingModel', { ProductKey: productKey }));
    const tsl = JSON.parse(r.data.ThingModelJson);
    state.models.set(productKey, { services: tsl.services ?? [], properties: tsl.properties ?? [] });
  }
  return state.models.get(productKey);
}

async function selectProduct(productKey) {
  state.productKey = productKey;
  const listed = [];
  const [, m] = await Promise.all([
    // Every device of the product, page after page (QueryDevice, NextToken past the 10,000th).
    logged('QueryDevice', 'all pages', async () => {
      for await (const d of state.client.devices(productKey)) listed.push(d);
    }),
    model(productKey),
  ]);
  state.devices = listed;
  renderDevices();
  $('service').replaceChildren(...m.services.map((s) => el('option', { value: s.identifier, text: `${s.name} · ${s.identifier} (${s.callType})` })));
  $('history-property').replaceChildren(...m.properties
    .filter((p) => ['int', 'float', 'double'].includes(p.dataType?.type))
    .map((p) => el('option', { value: p.identifier, text: `${p.name}${p.dataType.specs?.unit ? ` (${p.dataType.specs.unit})` : ''}` })));
  // A value the device reports (read-only) makes the first chart; any numeric one otherwise.
  const reported = m.properties.find((p) => p.accessMode === 'r' && ['int', 'float', 'double'].includes(p.dataType?.type));
  if (reported) $('history-property').value = reported.identifier;
  renderServiceForm();
  setStatus(`Connected · ${listed.length} devices`, 'ok');
  loadFleet(listed, m).catch(showError);
  if (listed.length) await selectDevice(listed[0].deviceName);
}

/** The device list, filtered by state and by a search of the name (the first 200 shown). */
function renderDevices() {
  const status = $('device-status').value;
  const search = $('device-search').value.trim().toLowerCase();
  const shown = state.devices.filter((d) => (!status || d.status === status) && (!search || d.deviceName.toLowerCase().includes(search) || d.nickname.toLowerCase().includes(search)));
  $('devices').replaceChildren(...shown.slice(0, 200).map((d) => {
    const online = d.status === 'ONLINE';
    return el('li', {
      role: 'option', tabindex: '0', 'aria-selected': String(d.deviceName === state.device?.deviceName), 'data-testid': `device-${d.deviceName}`, 'data-name': d.deviceName,
      onclick: () => selectDevice(d.deviceName),
      onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); selectDevice(d.deviceName); } },
    }, el('span', { text: d.deviceName }), el('span', { class: `badge ${online ? 'online' : 'offline'}`, text: d.status.toLowerCase() }));
  }));
  $('device-count').textContent = shown.length > 200 ? `200 of ${shown.length} shown: search to narrow` : `${shown.length} of ${state.devices.length}`;
}

async function selectDevice(deviceName) {
  for (const li of $('devices').children) li.setAttribute('aria-selected', String(li.dataset.name === deviceName));
  state.device = { deviceName };
  $('device-name').textContent = `on ${deviceName}`;
  $('answer').hidden = true;
  // The previous device's properties go at once: a value typed there would be set on this one.
  $('props').replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'hint', text: 'Loading…' })));
  try {
    const d = await logged('QueryDeviceDetail', deviceName, () => state.client.queryDeviceDetail({ productKey: state.productKey, deviceName }));
    state.device.status = d.data.Status;
    $('device-name').textContent = `on ${deviceName} (${d.data.Status.toLowerCase()})`;
  } catch (e) {
    showError(e);
  }
  await Promise.all([loadProperties(), loadHistory(), loadRecords()]);
}

// ---------- history: a property's chart, events and service calls ----------

const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

/** Reads the selected property over the selected range, page after page, and draws it. */
async function loadHistory() {
  const { deviceName } = state.device ?? {};
  const identifier = $('history-property').value;
  if (!deviceName || !identifier) return;
  state.historyRun?.abort();
  const run = new AbortController();
  state.historyRun = run;
  const to = Date.now();
  const from = to - state.range;
  const points = [];
  const chart = $('history-chart');
  chart.dataset.state = 'loading';
  $('history-info').textContent = 'Reading…';
  try {
    await logged('QueryDevicePropertyData', deviceName, async () => {
      const pages = state.client.propertyHistory({ productKey: state.productKey, deviceName }, identifier, { from, to, signal: run.signal });
      for await (const page of pages) {
        points.push(...page);
        $('history-info').textContent = `Reading… ${points.length} points`;
      }
    });
  } catch (e) {
    if (run.signal.aborted) return;
    $('history-info').textContent = describeError(e);
    chart.dataset.state = 'error';
    return;
  }
  if (state.historyRun !== run) return;
  state.chartPoints = points.map((p) => [p.time, Number(p.value)]);
  drawChart(chart, state.chartPoints, from, to);
  Object.assign(chart.dataset, { state: 'ready', points: String(points.length), from: String(from), to: String(to), identifier, device: deviceName, live: '0' });
  const values = points.map((p) => Number(p.value));
  $('history-info').textContent = points.length
    ? `${points.length} points · min ${Math.min(...values)} · max ${Math.max(...values)} · last ${values.at(-1)}`
    : 'No points in this range.';
}

/** A line chart in SVG: time across, value up, with the range's ends and the extremes labelled. */
function drawChart(svg, data, from, to) {
  const W = 640;
  const H = 220;
  const pad = { l: 44, r: 10, t: 10, b: 24 };
  const ns = 'http://www.w3.org/2000/svg';
  const node = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  };
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const ys = data.map(([, v]) => v);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (!data.length) { lo = 0; hi = 1; }
  if (hi === lo) { hi += 1; lo -= 1; }
  const x = (t) => pad.l + ((t - from) / (to - from)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - ((v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  svg.append(node('rect', { x: pad.l, y: pad.t, width: W - pad.l - pad.r, height: H - pad.t - pad.b, class: 'plot' }));
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svg.append(node('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(node('text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(Math.round(v * 10) / 10)));
  }
  const label = (t) => (to - from > 86_400_000 ? new Date(t).toLocaleDateString() : new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  svg.append(node('text', { x: pad.l, y: H - 6, class: 'tick' }, label(from)));
  svg.append(node('text', { x: W - pad.r, y: H - 6, 'text-anchor': 'end', class: 'tick' }, label(to)));
  if (data.length) {
    svg.append(node('polyline', { points: data.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' '), class: 'line', 'data-testid': 'history-line' }));
  }
}

/** The device's recent events (every type) and service calls: the newest page of each. */
async function loadRecords() {
  const { deviceName } = state.device ?? {};
  if (!deviceName) return;
  const device = { productKey: state.productKey, deviceName };
  const to = Date.now();
  const range = { from: to - 86_400_000, to, order: 'desc', pageSize: 20 };
  const first = async (pages) => (await pages.next()).value ?? [];
  try {
    const [events, calls] = await Promise.all([
      logged('QueryDeviceEventData', deviceName, async () => {
        const all = [];
        for (const type of ['alert', 'error', 'info']) all.push(...await first(state.client.eventHistory(device, { type, ...range })));
        return all.sort((a, b) => b.time - a.time).slice(0, 20);
      }),
      logged('QueryDeviceServiceData', deviceName, () => first(state.client.serviceHistory(device, range))),
    ]);
    $('events').replaceChildren(...(events.length ? events.map((e) => el('li', { 'data-testid': 'event' },
      el('span', { class: `badge ${e.eventType === 'info' ? 'ok' : 'offline'}`, text: e.eventType }), ' ',
      el('strong', { text: e.name || e.identifier }), ' ', el('span', { class: 'muted', text: timeOf(e.time) }),
      el('code', { class: 'record-data', text: e.outputData }))) : [el('li', { class: 'hint', text: 'No events in the last 24 hours.' })]));
    $('service-calls').replaceChildren(...(calls.length ? calls.map((c) => el('li', { 'data-testid': 'service-call' },
      el('strong', { text: c.identifier }), ' ', el('span', { class: 'muted', text: timeOf(c.time) }),
      el('code', { class: 'record-data', text: `${c.inputData} → ${c.outputData}` }))) : [el('li', { class: 'hint', text: 'No service calls in the last 24 hours.' })]));
  } catch (e) {
    $('events').replaceChildren(el('li', { class: 'hint', text: describeError(e) }));
  }
}

function selectRange(name) {
  state.range = RANGES[name];
  for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b.dataset.range === name));
  loadHistory().catch(showError);
}

// ---------- live values: the backend's /events (the platform's subscription) ----------

/** The newest time shown per `deviceName/identifier`: an older value never overwrites it. */
const shownAt = new Map();

function setLive(text, kind) {
  const b = $('live-state');
  b.textContent = text;
  b.className = `badge live-${kind}`;
  b.dataset.state = kind;
}

/**
 * Follows the backend's stream with the client's watch(): every device of the stream (the fleet
 * view shows them all), resumed from the last event after a cut; a gap reads the values again.
 */
async function startLive() {
  state.live?.close();
  setLive('live: connecting', 'connecting');
  const watch = state.client.watch({ url: '/events' });
  state.live = watch;
  const labels = { connecting: 'live: connecting', live: 'live', reconnecting: 'live: reconnecting', closed: 'live: off' };
  try {
    for await (const item of watch) {
      if (item.type === 'state') setLive(labels[item.state], item.state === 'closed' ? 'off' : item.state);
      else if (item.type === 'property') applyLive(item);
      else if (item.type === 'gap') { loadProperties().catch(showError); refreshFleetValues().catch(showError); }
    }
  } catch (e) {
    if (state.live === watch) { setLive('live: off', 'off'); showError(e); }
  }
}

/** One property's newer value from the stream (`watch()` gives each only when it is newer). */
function applyLive({ device, identifier, value, time }) {
  if (device.productKey !== state.productKey) return;
  const m = state.models.get(state.productKey);
  const dn = device.deviceName;
  const key = `${dn}/${identifier}`;
  if ((shownAt.get(key) ?? -Infinity) > time) return;
  shownAt.set(key, time);
  const def = m?.properties.find((p) => p.identifier === identifier);
  const unit = def?.dataType?.specs?.unit;
  const text = `${value}${unit ? ` ${unit}` : ''}`;
  const fleet = state.fleet.find((d) => d.deviceName === dn);
  if (fleet) {
    fleet.values[identifier] = text;
    if ($('fleet-property').value === identifier) {
      const cell = document.querySelector(`[data-testid="fleet-value-${CSS.escape(dn)}"]`);
      if (cell) cell.textContent = text;
    }
  }
  if (state.device?.deviceName !== dn) return;
  const row = document.querySelector(`[data-testid="property-row-${CSS.escape(identifier)}"]`);
  if (row) {
    row.querySelector(`[data-testid="property-value-${CSS.escape(identifier)}"]`).textContent = text;
    row.children[2].textContent = timeOf(time);
    row.classList.remove('flash');
    void row.offsetWidth;
    row.classList.add('flash');
  }
  // The chart of this property goes on with the new point.
  const chart = $('history-chart');
  if (chart.dataset.state === 'ready' && chart.dataset.device === dn && chart.dataset.identifier === identifier && typeof value === 'number') {
    state.chartPoints.push([time, value]);
    const to = Math.max(Number(chart.dataset.to), time);
    drawChart(chart, state.chartPoints, to - state.range, to);
    chart.dataset.to = String(to);
    chart.dataset.points = String(state.chartPoints.length);
    chart.dataset.live = String(Number(chart.dataset.live ?? 0) + 1);
  }
}

// ---------- values as the thing model types them ----------

/** A value as JSON text of its thing-model type: floats keep a decimal point (`10.0`). */
function jsonValue(type, raw) {
  const n = Number(raw);
  switch (type) {
    case 'int': case 'bool': case 'enum':
      if (!Number.isInteger(n)) throw new Error(`${raw} is not an integer`);
      return String(n);
    case 'float': case 'double':
      if (!Number.isFinite(n) || String(raw).trim() === '') throw new Error(`${raw} is not a number`);
      return Number.isInteger(n) ? n.toFixed(1) : String(n);
    default:
      return JSON.stringify(String(raw));
  }
}

/** Builds a JSON object string from [identifier, type, raw] entries. */
function jsonObject(entries) {
  return `{${entries.map(([id, type, raw]) => `${JSON.stringify(id)}:${jsonValue(type, raw)}`).join(',')}}`;
}

function inputFor(id, dataType, testid, value) {
  const { type, specs = {} } = dataType;
  if (type === 'bool' || type === 'enum') {
    const choices = type === 'bool' ? [['0', '0 (off)'], ['1', '1 (on)']] : Object.entries(specs).map(([k, v]) => [k, `${k} (${v})`]);
    const select = el('select', { id, 'data-testid': testid }, el('option', { value: '', text: '—' }), ...choices.map(([v, t]) => el('option', { value: v, text: t })));
    if (value !== undefined) select.value = String(value);
    return select;
  }
  if (type === 'text' || type === 'date') return el('input', { id, type: 'text', 'data-testid': testid, value });
  return el('input', {
    id, type: 'number', step: type === 'int' ? '1' : 'any', min: specs.min, max: specs.max, 'data-testid': testid, value,
  });
}

// ---------- invoke ----------

function currentService() {
  const m = state.models.get(state.productKey);
  return m?.services.find((s) => s.identifier === $('service').value);
}

function renderServiceForm() {
  const s = currentService();
  if (!s) return;
  $('service-info').textContent = s.callType === 'sync'
    ? 'Synchronous: the device answers within the platform’s 8 s RRPC window, and its result is shown.'
    : 'Asynchronous: the platform only acknowledges with a MessageId.';
  $('args-fields').replaceChildren(...s.inputData.map((p) => {
    const unit = p.dataType.specs?.unit ? ` (${p.dataType.specs.unit})` : '';
    const range = p.dataType.specs?.min !== undefined ? ` ${p.dataType.specs.min}…${p.dataType.specs.max}` : '';
    const name = p.name === p.identifier ? p.name : `${p.name} · ${p.identifier}`;
    return el('label', {}, `${name} [${p.dataType.type}${range}]${unit}`, inputFor(`arg-${p.identifier}`, p.dataType, `arg-${p.identifier}`));
  }));
  const example = Object.fromEntries(s.inputData.map((p) => [p.identifier, p.dataType.type === 'text' ? 'hello' : 1]));
  $('args-raw').value = JSON.stringify(example);
}

function argsText() {
  if ($('raw-toggle').open) return $('args-raw').value.trim() || '{}';
  const s = currentService();
  const entries = [];
  for (const p of s.inputData) {
    const raw = $(`arg-${p.identifier}`).value;
    if (raw !== '') entries.push([p.identifier, p.dataType.type, raw]);
  }
  return jsonObject(entries);
}

function showExplain(action, params) {
  try {
    const x = state.client.explain(action, params);
    $('req-params').replaceChildren(...x.params.map(([k, v]) => el('tr', {}, el('td', { text: k }), el('td', { text: v }))));
    $('req-canonical').textContent = x.canonicalQuery;
    $('req-sts').textContent = x.stringToSign;
    $('req-url').textContent = x.url;
    $('req-curl').textContent = x.curl;
  } catch (e) {
    $('req-canonical').textContent = describeError(e);
  }
}

function showError(e) {
  $('answer').hidden = false;
  $('answer-ok').hidden = true;
  $('answer-err').hidden = false;
  const isTc = e?.name === 'ThingcallError';
  $('answer-err').querySelector('[data-testid=error-code]').textContent = isTc ? e.code : 'Error';
  const outcome = $('answer-err').querySelector('[data-testid=error-outcome]');
  outcome.textContent = isTc ? e.outcome.replace('_', ' ') : 'unknown';
  outcome.className = `badge ${isTc ? e.outcome : 'unknown'}`;
  const message = isTc ? e.message.replace(`${e.code}: `, '') : String(e?.message ?? e);
  $('answer-err').querySelector('[data-testid=error-message]').textContent = message;
  // SignatureDoesNotMatch: where the platform's string-to-sign parts from the signed one.
  const d = isTc ? e.diagnosis : undefined;
  $('diagnosis').hidden = !d;
  if (d) {
    const q = (id) => $('diagnosis').querySelector(`[data-testid=${id}]`);
    q('diagnosis-explanation').textContent = d.explanation;
    q('diagnosis-where').textContent = d.position === undefined
      ? 'none: both sides signed the same string'
      : `character ${d.position}${d.parameter ? `, in ${d.parameter}` : ', in the HTTP method'}`;
    q('diagnosis-sent').textContent = d.sent ?? '(nothing)';
    q('diagnosis-received').textContent = d.received ?? '(nothing)';
  }
}

function showResult(r) {
  $('answer').hidden = false;
  $('answer-err').hidden = true;
  $('answer-ok').hidden = false;
  const q = (id) => $('answer-ok').querySelector(`[data-testid=${id}]`);
  q('answer-mode').textContent = r.mode;
  q('answer-message-id').textContent = r.messageId ?? '—';
  q('answer-request-id').textContent = r.requestId;
  q('answer-attempts').textContent = String(r.attempts);
  q('answer-ms').textContent = `${Math.round(r.elapsedMs)} ms`;
  q('result').textContent = r.result ? JSON.stringify(r.result, null, 2) : '(asynchronous service: no result, only the MessageId)';
}

async function invoke(ev) {
  ev.preventDefault();
  const s = currentService();
  if (!s || !state.device) return;
  const button = $('invoke');
  button.disabled = true;
  const { deviceName } = state.device;
  let args;
  try {
    args = argsText();
    const r = await logged('InvokeThingService', deviceName, () =>
      state.client.invokeThingService({ productKey: state.productKey, deviceName, identifier: s.identifier, args }));
    showResult(r);
    if (s.identifier === 'Set') await loadProperties();
  } catch (e) {
    showError(e);
  } finally {
    if (args !== undefined) {
      showExplain('InvokeThingService', { ProductKey: state.productKey, DeviceName: deviceName, Identifier: s.identifier, Args: args });
    }
    button.disabled = false;
  }
}

// ---------- properties ----------

async function loadProperties() {
  const { deviceName } = state.device ?? {};
  if (!deviceName) return;
  const m = await model(state.productKey);
  try {
    const r = await logged('QueryDevicePropertyStatus', deviceName, () =>
      state.client.queryDevicePropertyStatus({ productKey: state.productKey, deviceName }));
    // Another device chosen meanwhile: its own read shows its properties.
    if (state.device?.deviceName !== deviceName) return;
    $('props').replaceChildren(...r.properties.map((p) => {
      const def = m.properties.find((x) => x.identifier === p.identifier);
      const writable = def?.accessMode === 'rw';
      const input = writable ? inputFor(`set-${p.identifier}`, def.dataType, `property-input-${p.identifier}`, p.value) : null;
      if (input) input.setAttribute('aria-label', `New ${p.name}`);
      return el('tr', { 'data-testid': `property-row-${p.identifier}` },
        el('th', { scope: 'row', text: p.name === p.identifier ? p.name : `${p.name} (${p.identifier})` }),
        el('td', { 'data-testid': `property-value-${p.identifier}`, text: `${p.value}${p.unit ? ` ${p.unit}` : ''}` }),
        el('td', { text: p.time ? timeOf(p.time) : '—' }),
        el('td', {}, writable
          ? el('span', { class: 'set-cell' }, input, el('button', {
            type: 'button', class: 'small', 'data-testid': `property-set-${p.identifier}`,
            onclick: (ev) => setProperty(ev.currentTarget, p.identifier, def.dataType.type, input.value),
          }, 'Set'))
          : el('span', { class: 'hint', text: 'read-only' })));
    }));
  } catch (e) {
    if (state.device?.deviceName !== deviceName) return;
    $('props').replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'hint', text: describeError(e) })));
  }
}

async function setProperty(button, identifier, type, raw) {
  const { deviceName } = state.device;
  button.disabled = true;
  try {
    const items = jsonObject([[identifier, type, raw]]);
    await logged('SetDeviceProperty', deviceName, () => state.client.setDeviceProperty({ productKey: state.productKey, deviceName, items }));
    await loadProperties();
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---------- the fleet: every device of the product, bulk calls and platform jobs ----------

const fleetRow = (dn) => document.querySelector(`[data-testid="fleet-row-${dn}"]`);
const fleetCell = (dn, what) => document.querySelector(`[data-testid="fleet-${what}-${dn}"]`);

/** Lists every device with its status and a chosen property (QueryDevicePropertyStatus each). */
async function loadFleet(devices, m) {
  $('fleet-property').replaceChildren(...m.properties.map((p) => el('option', { value: p.identifier, text: p.name })));
  $('fleet-service').replaceChildren(...m.services.map((s) => el('option', { value: s.identifier, text: `${s.identifier} (${s.callType})` })));
  state.fleet = devices.map((d) => ({ deviceName: d.deviceName, online: d.status === 'ONLINE', values: {} }));
  $('fleet-rows').replaceChildren(...state.fleet.map((d) => el('tr', { 'data-testid': `fleet-row-${d.deviceName}` },
    el('td', {}, el('input', { type: 'checkbox', 'aria-label': `Select ${d.deviceName}`, 'data-testid': `fleet-check-${d.deviceName}`, onchange: countFleet })),
    el('td', { text: d.deviceName }),
    el('td', {}, el('span', { class: `badge ${d.online ? 'online' : 'offline'}`, text: d.online ? 'online' : 'offline' })),
    el('td', { 'data-testid': `fleet-value-${d.deviceName}`, text: '…' }),
    el('td', { 'data-testid': `fleet-result-${d.deviceName}` }),
    el('td', { 'data-testid': `fleet-code-${d.deviceName}` }),
    el('td', { 'data-testid': `fleet-outcome-${d.deviceName}` }))));
  countFleet();
  fleetForm();
  await refreshFleetValues();
}

async function refreshFleetValues() {
  const productKey = state.productKey;
  // Eight at a time: a product may have thousands of devices.
  let next = 0;
  const one = async () => {
    while (next < state.fleet.length) {
      const d = state.fleet[next++];
      try {
        const r = await state.client.queryDevicePropertyStatus({ productKey, deviceName: d.deviceName });
        d.values = Object.fromEntries(r.properties.map((p) => [p.identifier, `${p.value}${p.unit ? ` ${p.unit}` : ''}`]));
      } catch {
        d.values = {};
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, one));
  showFleetColumn();
}

function showFleetColumn() {
  const id = $('fleet-property').value;
  $('fleet-column').textContent = $('fleet-property').selectedOptions[0]?.textContent ?? 'Property';
  for (const d of state.fleet) {
    const cell = fleetCell(d.deviceName, 'value');
    if (cell) cell.textContent = d.values[id] ?? '—';
  }
}

function selectFleet(which) {
  for (const d of state.fleet) {
    fleetCell(d.deviceName, 'check').checked = which === 'all' || (which === 'online' && d.online);
  }
  countFleet();
}

const selectedFleet = () => state.fleet.filter((d) => fleetCell(d.deviceName, 'check')?.checked);

function countFleet() {
  $('fleet-count').textContent = `${selectedFleet().length} of ${state.fleet.length} selected`;
}

/** Service or property set; the job switch only where the platform's jobs apply. */
function fleetForm() {
  const set = $('fleet-action').value === 'set';
  $('fleet-service-label').hidden = set;
  const s = state.models.get(state.productKey)?.services.find((x) => x.identifier === $('fleet-service').value);
  const jobOk = set || s?.callType === 'async';
  $('fleet-job').disabled = !jobOk;
  if (!jobOk) $('fleet-job').checked = false;
}

function fleetProgress(done, total, text) {
  $('fleet-progress').max = Math.max(total, 1);
  $('fleet-progress').value = done;
  $('fleet-progress-text').textContent = text ?? `${done} of ${total}`;
}

function fleetResult(dn, ok, code, outcome) {
  fleetCell(dn, 'result').replaceChildren(el('span', { class: `badge ${ok ? 'ok' : 'bad'}`, text: ok ? 'ok' : 'failed' }));
  fleetCell(dn, 'code').textContent = code ?? '';
  fleetCell(dn, 'outcome').textContent = outcome ?? '';
}

async function runFleet(ev) {
  ev.preventDefault();
  const chosen = selectedFleet();
  if (!chosen.length) {
    $('fleet-progress-text').textContent = 'Select devices first.';
    return;
  }
  for (const d of chosen) {
    fleetCell(d.deviceName, 'result').replaceChildren(el('span', { class: 'muted', text: '…' }));
    fleetCell(d.deviceName, 'code').textContent = '';
    fleetCell(d.deviceName, 'outcome').textContent = '';
  }
  const set = $('fleet-action').value === 'set';
  const payload = $('fleet-payload').value.trim() || '{}';
  const targets = chosen.map((d) => ({ productKey: state.productKey, deviceName: d.deviceName }));
  const ctl = new AbortController();
  state.fleetRun = ctl;
  $('fleet-run').disabled = true;
  $('fleet-stop').disabled = false;
  try {
    if ($('fleet-job').checked) await runJob(targets, set, payload);
    else await runBulk(targets, set, payload, ctl.signal);
    await refreshFleetValues();
  } catch (e) {
    fleetProgress(0, chosen.length, describeError(e));
    showError(e);
  } finally {
    state.fleetRun = null;
    $('fleet-run').disabled = false;
    $('fleet-stop').disabled = true;
  }
}

/** invokeMany / setPropertyMany: one entry per device, progress as it goes. */
async function runBulk(targets, set, payload, signal) {
  const options = { concurrency: 8, checkArgs: true, signal, onProgress: (p) => fleetProgress(p.done, p.total, `${p.done} of ${p.total} · ${p.ok} ok · ${p.failed} failed`) };
  const entries = set
    ? await logged('setPropertyMany', `${targets.length} devices`, () => state.client.setPropertyMany(targets, { items: payload }, options))
    : await logged('invokeMany', `${targets.length} devices`, () => state.client.invokeMany(targets, { identifier: $('fleet-service').value, args: payload }, options));
  for (const e of entries) {
    if (e.ok) fleetResult(e.target.deviceName, true, e.value.code !== undefined ? String(e.value.code) : '', '');
    else fleetResult(e.target.deviceName, false, e.error.code, e.error.outcome.replace('_', ' '));
  }
}

/** A platform job: created, watched until every task has ended, its tasks listed. */
async function runJob(targets, set, payload) {
  const request = { name: `fleet_${Date.now() % 1e9}`, targets };
  if (set) request.items = payload;
  else Object.assign(request, { identifier: $('fleet-service').value, args: payload });
  const { jobId } = await logged('createJob', `${targets.length} devices`, () => state.client.createJob(request, { checkArgs: true }));
  for (;;) {
    const j = await state.client.job(jobId);
    const s = j.statistics;
    const ended = s.total - s.queued - s.sent - s.inProgress;
    fleetProgress(ended, s.total, `job ${jobId}: ${ended} of ${s.total} ended · ${s.succeeded} succeeded`);
    if (ended === s.total || state.fleetRun?.signal.aborted) {
      if (ended !== s.total) await state.client.cancelJob(jobId);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  for await (const t of state.client.tasks(jobId)) {
    if (fleetRow(t.deviceName)) fleetResult(t.deviceName, t.status === 'SUCCEEDED', t.status, 'platform job');
  }
}

// ---------- start ----------

async function main() {
  await init();
  // The self-test, the signing explanation, the fleet panel, the history and live values are the
  // package's second entry.
  await loadExtras();
  for (const r of document.querySelectorAll('input[name=credmode]')) r.addEventListener('change', showKeyFields);
  $('conn-form').addEventListener('submit', (ev) => { ev.preventDefault(); connect(); });
  $('product').addEventListener('change', () => selectProduct($('product').value).catch(showError));
  $('service').addEventListener('change', renderServiceForm);
  $('invoke-form').addEventListener('submit', invoke);
  $('fleet-property').addEventListener('change', showFleetColumn);
  $('fleet-all').addEventListener('click', () => selectFleet('all'));
  $('fleet-none').addEventListener('click', () => selectFleet('none'));
  $('fleet-online').addEventListener('click', () => selectFleet('online'));
  $('fleet-action').addEventListener('change', fleetForm);
  $('fleet-service').addEventListener('change', fleetForm);
  $('fleet-form').addEventListener('submit', runFleet);
  $('fleet-stop').addEventListener('click', () => state.fleetRun?.abort());
  $('device-status').addEventListener('change', renderDevices);
  $('device-search').addEventListener('input', renderDevices);
  $('history-property').addEventListener('change', () => loadHistory().catch(showError));
  for (const b of document.querySelectorAll('[data-range]')) b.addEventListener('click', () => selectRange(b.dataset.range));
  await connect();
}

main().catch((e) => {
  setStatus('Failed to start', 'bad');
  showError(e);
});
