// motifgen studio: the film on a timeline, a scene to hear and change, variations to
// compare, and Keep. Plain JavaScript; every change goes through the server's API.
"use strict";

const TOKEN = document.querySelector('meta[name="motifgen-token"]').content;
const $ = (id) => document.getElementById(id);
const studio = { state: null, scene: null, slots: { A: null, B: null }, active: "A" };
window.studio = studio;  // for the browser tests

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Motifgen-Token": TOKEN },
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: `motifgen: ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `motifgen: ${response.status}`);
  return data;
}

function showError(line) {
  $("error").hidden = !line;
  $("error").textContent = line || "";
}

async function attempt(work) {
  try { await work(); showError(studio.state && studio.state.error); } catch (e) { showError(e.message); }
}

// -- the film -----------------------------------------------------------------
function drawState(state) {
  studio.state = state;
  $("title").textContent = state.title;
  $("file").textContent = state.file;
  $("seed").textContent = `seed ${state.seed}`;
  $("undo").disabled = !state.undo;
  $("keep").disabled = !state.edits.length;
  $("pending").hidden = !state.edits.length;
  $("edits").replaceChildren(...state.edits.map((e) => el("li", {}, e)));
  $("notice").hidden = !state.notice;
  $("notice").textContent = state.notice;
  showError(state.error);
  drawTimeline(state);
}

function drawTimeline(state) {
  const first = Math.min(...state.scenes.map((s) => s.start));
  const last = Math.max(...state.scenes.map((s) => s.end));
  const span = Math.max(last - first, 1);
  const blocks = state.scenes.map((s) => {
    const width = Math.max(((s.end - s.start) / span) * 100, 4);
    const block = el("div", {
      class: "block" + (studio.scene === s.id ? " open" : ""), "data-scene": s.id,
      title: `${s.title}\n${s.start_timecode}–${s.end_timecode}\n${s.moods.join(" → ")}\n${s.featuring.join(", ")}`,
      onclick: () => openScene(s.id),
    }, el("b", {}, s.id), s.moods.join("→"), el("br"), s.featuring.join(", "));
    block.style.left = `${((s.start - first) / span) * 96}%`;
    block.style.width = `${width}%`;
    for (const h of s.hits) {
      const tick = el("span", { class: "hit", title: `${h.label} ${h.timecode}` });
      tick.style.left = `${(h.seconds / (s.end - s.start)) * 100}%`;
      block.append(tick);
    }
    return block;
  });
  $("timeline").replaceChildren(...blocks);
}

async function refreshState() {
  drawState(await api("/api/state"));
}

// -- a scene ------------------------------------------------------------------
function sceneOf(id) { return studio.state.scenes.find((s) => s.id === id); }

async function openScene(id) {
  await attempt(async () => {
    studio.scene = id;
    const take = await api(`/api/scene/${encodeURIComponent(id)}`);
    studio.slots = { A: take, B: null };
    $("choices").replaceChildren();
    $("notation").replaceChildren();
    drawState(studio.state);
    drawScene(sceneOf(id));
    useSlot("A", false);
  });
}

function drawScene(s) {
  $("scene").hidden = false;
  $("scene-title").textContent = `${s.id} — ${s.title}`;
  $("scene-facts").textContent =
    `${s.start_timecode}–${s.end_timecode} · ${s.moods.join(" → ")} · ${s.featuring.join(", ")} · ending ${s.ending}`;
  const moods = studio.state.moods;
  const select = (value, onchange) => {
    const box = el("select", { onchange: (e) => onchange(e.target.value) },
      ...moods.map((m) => el("option", m === value ? { selected: "" } : {}, m)));
    return box;
  };
  $("mood").replaceWith(Object.assign(select(s.moods[0], (v) => change({ scene: s.id, field: "mood", value: v })), { id: "mood" }));
  $("section-moods").replaceChildren(...s.sections.map((x) => el("label", {}, `${x.label} `,
    select(x.mood, (v) => change({ scene: s.id, field: x.field, value: v })))));
  $("chains").replaceChildren(el("legend", {}, "Transform chains"), ...s.featuring.map((name) => {
    const input = el("input", { size: 36, value: s.transform[name] || "", placeholder: "(developed by the mood)", "data-name": name });
    return el("div", {}, el("label", {}, `${name} `, input),
      el("button", { onclick: () => change({ scene: s.id, field: `transform.${name}`, value: input.value.trim() || null }) }, "Apply"));
  }));
  $("hits").replaceChildren(el("legend", {}, "Hits (on a downbeat?)"), ...s.hits.map((h) => {
    const box = el("input", { type: "checkbox", "data-field": h.field, onchange: (e) => change({ scene: s.id, field: h.field, value: e.target.checked }) });
    box.checked = h.downbeat;
    return el("div", {}, el("label", {}, box, ` ${h.timecode} ${h.label} (${h.kind})`));
  }));
  $("other-scene").replaceChildren(el("option", { value: "" }, "—"),
    ...studio.state.scenes.filter((x) => x.id !== s.id).map((x) => el("option", { value: x.id }, `${x.id} ${x.title}`)));
  $("compare-buttons").replaceChildren(...s.featuring.flatMap((name) => {
    const buttons = [el("button", { onclick: () => listVariations(s.id, name), "data-vary": name }, `${name}: variations`)];
    if (studio.state.motifs[name] && studio.state.motifs[name].suggestable)
      buttons.push(el("button", { onclick: () => listCandidates(name), "data-suggest": name }, `${name}: suggestions`));
    return buttons;
  }));
}

function drawTake(take) {
  const files = take.files;
  $("downloads").replaceChildren(...Object.entries(files).map(([kind, url]) =>
    el("a", { href: `${url}?download`, "data-kind": kind }, `Download ${kind.toUpperCase()}`)));
  const rows = take.statements.map((r) => el("tr", {},
    el("td", {}, `${r.start.toFixed(1)} s`), el("td", {}, r.part), el("td", {}, r.motif),
    el("td", {}, el("code", {}, r.chain)),
    el("td", {}, r.recognisability === null || r.recognisability === undefined ? "" : r.recognisability.toFixed(2)),
    el("td", {}, r.instrument || "")));
  $("statements").tBodies[0].replaceChildren(...rows);
  $("chords").replaceChildren(...take.sections.map((sec) => el("div", {},
    el("b", {}, `${sec.label || sec.mood} (${sec.key}, from ${sec.start.toFixed(1)} s): `),
    ...sec.chords.map((c) => el("span", { class: "chord", title: `${c.kind} at ${c.start} s` }, c.symbol)))));
  drawRoll(take.roll);
}

// -- A/B slots ----------------------------------------------------------------
function useSlot(name, keepTime = true) {
  const take = studio.slots[name];
  if (!take) return;
  const audio = $("audio");
  const at = keepTime ? audio.currentTime : 0;
  const playing = keepTime && !audio.paused;
  studio.active = name;
  $("slot-a").classList.toggle("active", name === "A");
  $("slot-b").classList.toggle("active", name === "B");
  $("slot-b").disabled = !studio.slots.B;
  $("switch").disabled = !studio.slots.B;
  $("slot-info").textContent = `${name}: ${take.label || "the draft"} · take ${take.take}`;
  $("roll").dataset.take = take.take;
  drawTake(take);
  loadAudio(take.files.wav, at, playing);
}

async function loadAudio(url, at, playing) {
  const audio = $("audio");
  $("audio-error").hidden = true;
  studio.loading = url;
  const check = await fetch(url, { method: "HEAD" }).catch(() => null);
  if (studio.loading !== url) return;  // another take was chosen meanwhile
  if (check && !check.ok) {
    const data = await (await fetch(url)).json().catch(() => ({ error: "no audio" }));
    $("audio-error").hidden = false;
    $("audio-error").textContent = data.error;
    return;
  }
  audio.src = url;
  audio.addEventListener("loadedmetadata", () => {
    audio.currentTime = Math.min(at, audio.duration || 0);
    if (playing) audio.play();
  }, { once: true });
}

// -- the piano roll -----------------------------------------------------------
const ROLE_COLOURS = { melody: "#c0392b", counter: "#8e44ad", harmony: "#2e86c1", bass: "#1e8449", percussion: "#7f8c8d" };

function drawRoll(roll) {
  studio.roll = roll;
  const canvas = $("roll");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const pitched = roll.parts.filter((p) => !p.drum).flatMap((p) => p.notes.map((n) => n[2]));
  const lo = Math.min(...pitched, 48) - 2, hi = Math.max(...pitched, 72) + 2;
  const x = (t) => (t / roll.duration) * w;
  const y = (p) => h - ((p - lo) / (hi - lo)) * (h - 16) - 8;
  ctx.strokeStyle = "#eee";
  for (const b of roll.bars) { ctx.beginPath(); ctx.moveTo(x(b), 0); ctx.lineTo(x(b), h); ctx.stroke(); }
  for (const part of roll.parts) {
    ctx.fillStyle = ROLE_COLOURS[part.role] || "#555";
    for (const [t0, t1, p, v] of part.notes) {
      ctx.globalAlpha = 0.35 + (v / 127) * 0.65;
      const py = part.drum ? h - 6 : y(p);
      ctx.fillRect(x(t0), py - 2, Math.max(x(t1) - x(t0), 1.5), 4);
    }
  }
  ctx.globalAlpha = 1;
  ctx.font = "11px system-ui";
  for (const m of roll.markers) {
    ctx.strokeStyle = m.kind === "hit" ? "#e74c3c" : "#2471a3";
    ctx.setLineDash(m.kind === "hit" ? [] : [4, 3]);
    ctx.beginPath(); ctx.moveTo(x(m.seconds), 0); ctx.lineTo(x(m.seconds), h); ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(m.text, x(m.seconds) + 3, m.kind === "hit" ? 12 : 24);
  }
  ctx.setLineDash([]);
  studio.rollImage = ctx.getImageData(0, 0, w, h);
}

function drawPlayhead() {
  const canvas = $("roll"), audio = $("audio");
  if (studio.rollImage && studio.roll) {
    const ctx = canvas.getContext("2d");
    ctx.putImageData(studio.rollImage, 0, 0);
    const px = (audio.currentTime / studio.roll.duration) * canvas.width;
    ctx.strokeStyle = "#111"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(px, 0); ctx.lineTo(px, canvas.height); ctx.stroke();
    ctx.lineWidth = 1;
    canvas.dataset.playhead = audio.currentTime.toFixed(2);
  }
  requestAnimationFrame(drawPlayhead);
}

// -- changes ------------------------------------------------------------------
async function change(edit) {
  await attempt(async () => {
    drawState(await api("/api/edit", edit));
    await reopen(true);
  });
}

async function reopen(play) {
  if (!studio.scene) return;
  const take = await api(`/api/scene/${encodeURIComponent(studio.scene)}`);
  const same = studio.slots.A && studio.slots.A.take === take.take;
  studio.slots.A = take;
  drawScene(sceneOf(studio.scene));
  if (!same || studio.active !== "A") {
    useSlot("A", false);
    if (play) $("audio").addEventListener("canplay", () => $("audio").play().catch(() => {}), { once: true });
  }
}

async function listVariations(scene, name) {
  await attempt(async () => {
    const found = (await api(`/api/scene/${encodeURIComponent(scene)}/variations/${encodeURIComponent(name)}`)).variations;
    $("choices").replaceChildren(...found.map((v, i) => choice(`${i + 1}. ${v.chain}`, v, `score ${v.score}`,
      { scene, field: `transform.${name}`, value: v.chain })));
  });
}

async function listCandidates(name) {
  await attempt(async () => {
    const found = (await api(`/api/motif/${encodeURIComponent(name)}/candidates`)).candidates;
    $("choices").replaceChildren(...found.map((c, i) => choice(`${i + 1}. ${c.tiny}`, c, `memorability ${c.score}`,
      { field: "motif", name, value: c.tiny, key: c.key })));
  });
}

function choice(label, item, score, edit) {
  const inScene = async () => attempt(async () => {
    const take = await api("/api/preview", { ...edit, scene: studio.scene });
    take.label = label;
    studio.slots.B = take;
    useSlot("B", true);
  });
  return el("li", { "data-take": item.take },
    el("code", {}, label), ` ${score} · ${item.notes} `,
    el("button", { onclick: () => playAlone(item.wav), class: "alone" }, "Play alone"),
    el("button", { onclick: inScene, class: "in-scene" }, "In the scene (B)"),
    el("button", { onclick: () => change(edit), class: "use" }, "Use"));
}

function playAlone(url) {
  const a = $("alone");
  a.hidden = false;
  a.src = url;
  a.play().catch(() => {});
}

// -- wiring -------------------------------------------------------------------
function wire() {
  $("undo").addEventListener("click", () => attempt(async () => { drawState(await api("/api/undo", {})); await reopen(false); }));
  $("keep").addEventListener("click", () => attempt(async () => {
    drawState((await api("/api/keep", {})).state);
  }));
  $("new-seed").addEventListener("click", () => change({ field: "seed", value: studio.state.seed + 1 }));
  $("other-scene").addEventListener("change", (e) => attempt(async () => {
    if (!e.target.value) return;
    const take = await api(`/api/scene/${encodeURIComponent(e.target.value)}`);
    take.label = `scene ${e.target.value}`;
    studio.slots.B = take;
    useSlot("B", false);
  }));
  $("slot-a").addEventListener("click", () => useSlot("A"));
  $("slot-b").addEventListener("click", () => useSlot("B"));
  $("switch").addEventListener("click", () => useSlot(studio.active === "A" ? "B" : "A"));
  $("show-notation").addEventListener("click", () => attempt(async () => {
    const take = studio.slots[studio.active];
    $("notation").textContent = "engraving…";
    const pages = (await api(`/take/${take.take}/notation`)).pages;
    const parser = new DOMParser();
    $("notation").replaceChildren(...pages.map((svg) =>
      document.importNode(parser.parseFromString(svg, "image/svg+xml").documentElement, true)));
  }));
  const events = new EventSource("/api/events");
  events.addEventListener("state", (e) => {
    const news = JSON.parse(e.data);
    if (!studio.state || news.version === studio.state.version) return;
    attempt(async () => { await refreshState(); await reopen(false); });
  });
  requestAnimationFrame(drawPlayhead);
}

window.addEventListener("DOMContentLoaded", () => {
  wire();
  attempt(refreshState);
});
