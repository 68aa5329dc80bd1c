'use strict';
const token = new URLSearchParams(location.search).get('token') || '';
const samples = [];
const $ = id => document.getElementById(id);

async function get(path) {
  const r = await fetch(path);
  return r.json();
}

function showStatus(s) {
  $('status').textContent = s.status;
}

function showExits(e) {
  $('exits-total').textContent = e.total;
  const rows = Object.entries(e['by-kind']).filter(([, n]) => n > 0)
    .map(([k, n]) => '<tr><td>' + k + '</td><td class="count" id="exit-' + k + '">' + n + '</td></tr>');
  $('exits').innerHTML = rows.join('');
}

// the total a sample holds for each plot (0 where the machine does not answer the query)
const series = {
  'plot': s => s.exits.total,
  'plot-dma': s => s.dma && !s.dma.error ? s.dma['to-memory'] + s.dma['from-memory'] : 0,
  'plot-irq': s => s.irq && !s.irq.error ? s.irq.msi + s.irq.intx : 0,
};
const units = {'plot': 'exits/s', 'plot-dma': 'DMA bytes/s', 'plot-irq': 'interrupts/s'};

function plot(id) {
  const c = $(id), g = c.getContext('2d'), total = series[id];
  g.clearRect(0, 0, c.width, c.height);
  if (samples.length < 2) return;
  const rates = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i]['t-ms'] - samples[i - 1]['t-ms']) / 1000 || 1;
    rates.push((total(samples[i]) - total(samples[i - 1])) / dt);
  }
  const max = Math.max(1, ...rates);
  g.beginPath();
  rates.forEach((r, i) => {
    const x = i * c.width / Math.max(1, rates.length - 1), y = c.height - r * (c.height - 10) / max;
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
  g.fillText(units[id] + ', max ' + Math.round(max), 4, 12);
}

function cells(tag, values) {
  return '<tr>' + values.map(v => '<' + tag + '>' + String(v).replace(/[&<>]/g, '') + '</' + tag + '>').join('') + '</tr>';
}

function showDma(d) {
  if (!d || d.error) { $('dma').innerHTML = ''; return; }
  $('dma-total').textContent = d['to-memory'] + d['from-memory'];
  $('dma').innerHTML = cells('th', ['device', 'host', 'into memory', 'from memory'])
    + d.devices.map(x => cells('td', [x.device, x.host, x['to-memory'], x['from-memory']])).join('');
}

function showIrq(q) {
  if (!q || q.error) { $('irq').innerHTML = ''; $('sources').innerHTML = ''; return; }
  $('irq-total').textContent = q.msi + q.intx;
  $('irq').innerHTML = cells('th', ['device', 'MSI', 'INTx', 'per vector'])
    + q.devices.map(x => cells('td', [x.device, x.msi, x.intx, x.vectors.map(v => v.vector + ': ' + v.count).join(', ')])).join('');
  $('sources').innerHTML = q.sources ? cells('th', ['XICS source', 'type', 'fired'])
    + q.sources.map(x => cells('td', ['0x' + x.irq.toString(16), x.type, x.count])).join('') : '';
}

function onSample(s) {
  samples.push(s);
  if (samples.length > 240) samples.shift();
  showStatus(s.status);
  showExits(s.exits);
  showDma(s.dma);
  showIrq(s.irq);
  Object.keys(series).forEach(plot);
  refreshDisplay(false);
  if (document.body.dataset.ready) refresh();
}

// one refresh at a time: samples arrive every 500 ms, and on a busy machine overlapping refreshes
// would queue up in the server ahead of the user's actions
let refreshing = null;
function refresh() {
  if (!refreshing) refreshing = refreshOnce().finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshOnce() {
  const m = await get('/api/machine');
  showStatus(m.status);
  $('mtree').textContent = m.mtree;
  $('pci').textContent = JSON.stringify(m.pci, null, 1);
  const iommu = await get('/api/iommu');
  $('iommu').textContent = JSON.stringify(iommu, null, 1);
  showPes(iommu.pe);
  $('faults').textContent = JSON.stringify(await get('/api/faults'), null, 1);
}

async function action(name, path) {
  const r = await fetch('/api/' + (path || name), {method: 'POST', headers: {'X-Jvmm-Token': token}});
  const a = await r.json();
  $('message').textContent = a && a.error ? a.error.desc : name + ': ok';
  showStatus(await get('/api/status'));
}

// one row per PE, made once (its buttons stay the same elements), its cells updated in place
function showPes(pes) {
  const body = $('pes').tBodies[0];
  if (!Array.isArray(pes)) {
    $('pes-none').textContent = pes && pes.error ? pes.error.desc : '';
    return;
  }
  $('pes-none').textContent = pes.length ? '' : 'no PE (no VFIO device)';
  $('pes').hidden = !pes.length;
  for (const pe of pes) {
    let row = $('pe-' + pe.pe);
    if (!row) {
      row = body.insertRow();
      row.id = 'pe-' + pe.pe;
      row.insertCell().textContent = pe.pe;
      row.insertCell().textContent = pe.phb;
      row.insertCell().id = 'pe-' + pe.pe + '-state';
      row.insertCell().id = 'pe-' + pe.pe + '-freezes';
      const cell = row.insertCell();
      for (const op of ['freeze', 'recover']) {
        const b = document.createElement('button');
        b.id = 'pe-' + pe.pe + '-' + op;
        b.textContent = op;
        b.onclick = async () => { await action('x-pe-' + op, 'pe/' + pe.pe + '/' + op); refresh(); };
        cell.appendChild(b);
      }
    }
    $('pe-' + pe.pe + '-state').textContent = pe['state-name'];
    $('pe-' + pe.pe + '-freezes').textContent = pe.freezes;
  }
}

$('stop').onclick = () => action('stop');
$('cont').onclick = () => action('cont');
// the display follows the guest: a fresh screendump with every sample while one answers; after
// an answer without a display, one try in ten (the guest may not show a picture yet)
let display = null, misses = 0, frames = 0;
function refreshDisplay(force) {
  const img = $('display');
  if (img.dataset.loading) return;
  if (!force && display === false && ++misses % 10 !== 0) return;
  img.dataset.loading = 'true';
  img.src = '/api/display.png?' + Date.now();
}
$('display').onload = () => {
  const img = $('display');
  delete img.dataset.loading;
  display = true;
  img.hidden = false;
  img.dataset.frame = String(++frames);
  $('display-none').textContent = '';
};
$('display').onerror = () => {
  const img = $('display');
  delete img.dataset.loading;
  display = false;
  img.hidden = true;
  $('display-none').textContent = 'no display (the machine has none, or the guest shows no picture yet)';
};
$('dump').onclick = () => refreshDisplay(true);

(async () => {
  (await get('/api/history')).forEach(onSample);
  await refresh();
  const es = new EventSource('/api/events');
  es.addEventListener('sample', e => onSample(JSON.parse(e.data)));
  es.addEventListener('qmp', e => {
    const ev = JSON.parse(e.data);
    const li = document.createElement('li');
    li.textContent = ev.event + (ev.data ? ' ' + JSON.stringify(ev.data) : '');
    $('events').appendChild(li);
    refresh();
  });
  document.body.dataset.ready = 'true';
})();
