"""A machine you can watch: one static HTML page per model (``trnn logic explore``).

:func:`write_page` writes a self-contained page (no server, no network: its data, style and
script are inline). It plays a story the golden engine writes token by token; beside it, the
state bits light up after each token, grouped by module (the weakly connected components of
the dependency graph, :mod:`trnn.logic.depgraph`) and labelled by name where
:func:`trnn.logic.explain.bit_names` names them. A click on a bit shows its rule (the
decompiled statement of :func:`trnn.logic.decompile.bit_rule`), its statistics on validation
text (:func:`trnn.logic.explain.explain`) and the tokens that set and clear it there.

The page reads its position from the address: ``page.html#step=12&bit=3`` opens at step 12
with bit 3 selected and does not play; without ``step`` it plays from the start.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import tempfile
from pathlib import Path

from trnn.boards.build import BuildError
from trnn.boards.tools import find_program
from trnn.model.generate import generate
from trnn.model.golden import NumpyEngine
from trnn.model.machine import Machine

from .decompile import bit_rule
from .depgraph import dependency_graph
from .explain import BitStats, bit_names
from .trace import token_text


def story_steps(m: Machine, prompt_ids: list[int], max_tokens: int, tq: int = 0,
                seed: int = 0) -> list[dict]:
    """The steps of one generation by the golden engine: the opening end-of-story token, the
    prompt, then the generated tokens (the last one is chosen but not read). Each step:
    ``token`` (id), ``text``, ``kind`` (``"eot"``, ``"prompt"``, ``"generated"``) and
    ``state`` — the H state bits after reading it as a string of ``0``/``1``, bit 0 first
    (``None`` for a last token that is not read)."""
    g = generate(NumpyEngine(m), prompt_ids, max_tokens, tq, seed, record=True)
    toks = [m.eot_id, *prompt_ids, *g.tokens]
    kinds = ["eot"] + ["prompt"] * len(prompt_ids) + ["generated"] * len(g.tokens)
    out = []
    for k, (v, kind) in enumerate(zip(toks, kinds)):
        st = g.states[k] if k < len(g.states) else None
        out.append({"token": int(v), "text": token_text(m, int(v)), "kind": kind,
                    "state": None if st is None else "".join("1" if b else "0" for b in st)})
    return out


def _tokens(m: Machine, assoc) -> list[dict]:
    return [{"text": token_text(m, a.token), "count": a.count, "lift": round(a.lift, 2),
             "precision": round(a.precision, 3)} for a in assoc]


def page_data(m: Machine, title: str, steps: list[dict],
              stats: list[BitStats] | None = None) -> dict:
    """Everything the page shows, JSON-ready: the model, the ``steps`` of
    :func:`story_steps`, the modules and, per bit, its name (or None), module, rule text
    and — with ``stats`` — its explanation."""
    graph = dependency_graph(m)
    module_of = graph.component_of()
    names = bit_names(m, stats) if stats else {}
    bits = []
    for i in range(m.H):
        b = {"bit": i, "name": names.get(i), "module": int(module_of[i]),
             "h0": int(m.h0[i]), "rule": "\n".join(x[4:] for x in bit_rule(m, i))}
        if stats:
            s = stats[i]
            ev = s.name_event
            b["explain"] = {
                "steps": s.steps, "frac_set": round(s.frac_set, 4), "n_on": s.n_on,
                "n_off": s.n_off, "flags": s.flags,
                "on": _tokens(m, s.on_by_lift), "off": _tokens(m, s.off_by_lift),
                "on_count": _tokens(m, s.on_by_count), "off_count": _tokens(m, s.off_by_count),
                "name_event": None if ev is None else {
                    "event": ev[0], "tokens": [token_text(m, v) for v in ev[1]],
                    "f1": round(ev[2], 3)}}
        bits.append(b)
    return {"title": title, "model": {"cell": m.cell, "H": m.H, "E": m.E, "V": m.V,
                                      "fingerprint": f"{m.fingerprint():08x}"},
            "modules": [list(map(int, c)) for c in graph.components],
            "named": len(names), "steps": steps, "bits": bits}


def render(data: dict) -> str:
    """The page's HTML for ``data`` (:func:`page_data`)."""
    blob = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    return (_PAGE.replace("@TITLE@", html.escape(data["title"]))
            .replace("@DATA@", blob))


def write_page(m: Machine, path: str | Path, title: str, prompt_ids: list[int],
               max_tokens: int = 60, tq: int = 0, seed: int = 0,
               stats: list[BitStats] | None = None) -> Path:
    """Write the explorer page of machine ``m`` to ``path`` (parents made) and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    steps = story_steps(m, prompt_ids, max_tokens, tq, seed)
    path.write_text(render(page_data(m, title, steps, stats)), encoding="utf-8")
    return path


def lit_bits(steps: list[dict], k: int) -> list[int]:
    """The bits set after step ``k`` (what the page lights at ``#step=k``)."""
    return [i for i, c in enumerate(steps[k]["state"]) if c == "1"]


#: headless browsers tried in order (Chromium from the system packages first)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(BuildError):
    """No headless browser found, or it failed; one line (a missing or failing external
    tool, as for a build)."""


def find_browser() -> str | None:
    """Path of a Chromium-family browser on PATH (:data:`BROWSERS`), or None."""
    for name in BROWSERS:
        found = find_program(name, path_only=True)
        if found:
            return found
    return None


def _browser(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = find_browser()
    if exe is None:
        raise BrowserError("no headless browser found: install Chromium (e.g. apt-get install "
                           "chromium)")
    with tempfile.TemporaryDirectory(prefix="trnn-browser-") as prof:
        # a throw-away profile: no state from, or to, the user's browser
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={prof}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": prof}, check=False)
        except subprocess.TimeoutExpired:
            raise BrowserError(f"{exe} did not finish within {timeout:g} s") from None


def page_url(path: str | Path, step: int | None = None, bit: int | None = None) -> str:
    """The ``file://`` address of a page, opened at ``step`` with ``bit`` selected."""
    frag = "&".join(f"{k}={v}" for k, v in (("step", step), ("bit", bit)) if v is not None)
    return Path(path).resolve().as_uri() + (f"#{frag}" if frag else "")


def rendered_dom(path: str | Path, step: int | None = None, bit: int | None = None,
                 timeout: float = 60.0) -> str:
    """The page's DOM after its script ran, as the headless browser serialises it."""
    r = _browser(["--dump-dom", page_url(path, step, bit)], timeout)
    if r.returncode != 0 or "<html" not in r.stdout:
        raise BrowserError(f"the browser failed (exit {r.returncode}): {r.stderr.strip()[-200:]}")
    return r.stdout


def screenshot(path: str | Path, png: str | Path, step: int | None = None,
               bit: int | None = None, size: tuple[int, int] = (1400, 900),
               timeout: float = 60.0) -> Path:
    """A PNG of the page at ``step`` with ``bit`` selected, ``size`` pixels, by the headless
    browser."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    r = _browser([f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
                  "--hide-scrollbars", page_url(path, step, bit)], timeout)
    if r.returncode != 0 or not png.exists():
        raise BrowserError(f"the browser failed (exit {r.returncode}): {r.stderr.strip()[-200:]}")
    return png


_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>trnn explorer: @TITLE@</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: flex; height: 100vh; }
#left { flex: 1 1 55%; padding: 12px 16px; overflow: auto; }
#right { flex: 1 1 45%; padding: 12px 16px; overflow: auto; background: #f6f6f4;
         border-left: 1px solid #ddd; }
h1 { font-size: 17px; margin: 0 0 6px; }
#meta { color: #555; margin-bottom: 8px; }
#controls { margin: 6px 0 10px; display: flex; gap: 6px; align-items: center; }
#controls input[type=range] { flex: 1; }
#story { font: 15px/1.6 Georgia, serif; white-space: pre-wrap; min-height: 4em;
         border: 1px solid #ddd; padding: 8px; background: #fff; }
#story span.tok { border-radius: 3px; }
#story span.prompt { color: #225; font-weight: 600; }
#story span.current { background: #ffd84d; }
#story span.future { display: none; }
.module { border: 1px solid #ccc; border-radius: 4px; margin: 6px 0; padding: 4px 6px;
          background: #fff; }
.module h2 { font-size: 12px; margin: 0 0 4px; color: #444; font-weight: 600; }
.bits { display: flex; flex-wrap: wrap; gap: 2px; }
.bit { font: 10px/1 monospace; padding: 3px 3px; min-width: 16px; text-align: center;
       border: 1px solid #bbb; border-radius: 2px; cursor: pointer; background: #eee;
       color: #333; }
.bit.named { border-color: #557; }
.bit.on { background: #1f6feb; color: #fff; }
.bit.changed { outline: 2px solid #f0a000; }
.bit.selected { outline: 2px solid #d00; }
#detail pre { background: #fff; border: 1px solid #ddd; padding: 6px; overflow: auto;
              font-size: 12px; }
#detail table { border-collapse: collapse; font-size: 12px; }
#detail td, #detail th { border-bottom: 1px solid #ddd; padding: 1px 6px; text-align: left; }
.muted { color: #777; }
</style>
</head>
<body>
<div id="left">
  <h1>@TITLE@</h1>
  <div id="meta"></div>
  <div id="controls">
    <button id="prev" title="previous token">&#9664;</button>
    <button id="play">play</button>
    <button id="next" title="next token">&#9654;</button>
    <input id="slider" type="range" min="0" value="0">
    <span id="pos"></span>
  </div>
  <div id="story"></div>
  <div id="modules"></div>
</div>
<div id="right"><div id="detail"><p class="muted">Click a state bit to see its rule, what it
does on validation text and the tokens that set and clear it.</p></div></div>
<script type="application/json" id="data">@DATA@</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const S = D.steps.filter(s => s.state !== null);
let step = 0, timer = null, selected = null;
const esc = t => t.replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                              '"': "&quot;"}[c]));
const label = b => b.name ? b.name : "s" + b.bit;

function build() {
  const m = D.model;
  document.getElementById("meta").textContent =
    `${m.cell} cell, H = ${m.H} state bits, E = ${m.E}, V = ${m.V} tokens; ` +
    `${D.modules.length} module(s); ${D.named} of ${m.H} bits named; fingerprint ${m.fingerprint}`;
  const story = document.getElementById("story");
  S.forEach((s, k) => {
    const sp = document.createElement("span");
    sp.className = "tok " + s.kind;
    sp.dataset.step = k;
    sp.textContent = s.kind === "eot" ? "\u27e8EOT\u27e9" : s.text;
    sp.title = `step ${k}: token ${s.token}`;
    sp.addEventListener("click", () => { stop(); show(k); });
    story.appendChild(sp);
  });
  const mods = document.getElementById("modules");
  D.modules.forEach((bits, k) => {
    const box = document.createElement("div");
    box.className = "module";
    box.innerHTML = `<h2>module ${k} \u2014 ${bits.length} bit(s)</h2>`;
    const row = document.createElement("div");
    row.className = "bits";
    bits.forEach(i => {
      const b = D.bits[i];
      const el = document.createElement("span");
      el.className = "bit" + (b.name ? " named" : "");
      el.id = "bit-" + i;
      el.dataset.bit = i;
      el.textContent = b.name ? b.name : String(i);
      el.title = label(b);
      el.addEventListener("click", () => detail(i));
      row.appendChild(el);
    });
    box.appendChild(row);
    mods.appendChild(box);
  });
  const sl = document.getElementById("slider");
  sl.max = S.length - 1;
  sl.addEventListener("input", () => { stop(); show(+sl.value); });
  document.getElementById("prev").onclick = () => { stop(); show(Math.max(0, step - 1)); };
  document.getElementById("next").onclick = () => { stop(); show(Math.min(S.length - 1, step + 1)); };
  document.getElementById("play").onclick = () => timer ? stop() : play();
}

function show(k) {
  step = k;
  const st = S[k].state, prev = k > 0 ? S[k - 1].state : null;
  for (let i = 0; i < st.length; i++) {
    const el = document.getElementById("bit-" + i);
    el.classList.toggle("on", st[i] === "1");
    el.classList.toggle("changed", prev !== null && prev[i] !== st[i]);
  }
  document.querySelectorAll("#story span.tok").forEach(sp => {
    const j = +sp.dataset.step;
    sp.classList.toggle("current", j === k);
    sp.classList.toggle("future", j > k);
  });
  document.getElementById("slider").value = k;
  const on = st.split("").filter(c => c === "1").length;
  document.getElementById("pos").textContent =
    `step ${k} / ${S.length - 1}, ${on} bits set`;
  document.body.dataset.step = k;
  if (selected !== null) detail(selected);
}

function toks(list) {
  if (!list || !list.length) return '<span class="muted">none</span>';
  return "<table><tr><th>token</th><th>events</th><th>lift</th><th>P</th></tr>" +
    list.map(t => `<tr><td><code>${esc(JSON.stringify(t.text))}</code></td><td>${t.count}</td>` +
                  `<td>${t.lift}</td><td>${t.precision}</td></tr>`).join("") + "</table>";
}

function detail(i) {
  if (selected !== null) document.getElementById("bit-" + selected).classList.remove("selected");
  selected = i;
  document.getElementById("bit-" + i).classList.add("selected");
  const b = D.bits[i], x = b.explain;
  let h = `<h1>bit ${i}${b.name ? " \u2014 " + esc(b.name) : ""}</h1>` +
    `<p>module ${b.module}; h0 = ${b.h0}; now ${S[step].state[i]} (step ${step})</p>` +
    `<h3>rule</h3><pre id="rule">${esc(b.rule)}</pre>`;
  if (x) {
    h += `<h3>on validation text</h3><p>set after ${(100 * x.frac_set).toFixed(1)}% of ` +
      `${x.steps} steps; turns on ${x.n_on}\u00d7, off ${x.n_off}\u00d7` +
      (x.flags.length ? `; ${esc(x.flags.join(", "))}` : "") + "</p>";
    if (x.name_event) {
      h += `<p>named: turns <b>${x.name_event.event}</b> at ` +
        x.name_event.tokens.map(t => `<code>${esc(JSON.stringify(t))}</code>`).join(", ") +
        ` (F1 ${x.name_event.f1})</p>`;
    }
    h += `<h3>tokens that set it (by lift)</h3>${toks(x.on)}` +
         `<h3>tokens that clear it (by lift)</h3>${toks(x.off)}` +
         `<h3>most frequent setters</h3>${toks(x.on_count)}` +
         `<h3>most frequent clearers</h3>${toks(x.off_count)}`;
  } else {
    h += '<p class="muted">no validation statistics in this page</p>';
  }
  document.getElementById("detail").innerHTML = h;
  document.body.dataset.bit = i;
}

function play() {
  document.getElementById("play").textContent = "pause";
  timer = setInterval(() => {
    if (step >= S.length - 1) { stop(); return; }
    show(step + 1);
  }, 250);
}
function stop() {
  if (timer) clearInterval(timer);
  timer = null;
  document.getElementById("play").textContent = "play";
}

build();
const q = new URLSearchParams(location.hash.slice(1));
const at = q.has("step") ? Math.min(S.length - 1, Math.max(0, +q.get("step") || 0)) : 0;
show(at);
if (q.has("bit")) detail(Math.min(D.model.H - 1, Math.max(0, +q.get("bit") || 0)));
if (!q.has("step")) play();
</script>
</body>
</html>
"""
