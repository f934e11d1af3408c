// The overview map: municipalities as SVG paths, coloured by the server, updated in place.
//
// Streamlit (st.components.v2) calls the default export on mount and again with every new
// `data`, always with the same `parentElement` while the element stays on the page. The map is
// built once per element and kept in `instances`; a call only recolours the paths and swaps
// texts. The outlines come once per snapshot version from `data.geometry`, a URL whose file name
// is the content hash (or, when the server cannot serve files, the document itself), and are
// kept in `geometries` for the life of the page.
//
// No third-party code, no network beyond that one file, no tiles.
// Colours: the municipalities' and the legend's come with the data; the map's own (text,
// controls, background) are the CSS properties --kd-<name> that ui/map.py writes from the palette.
// The page may fit the drawing to the window: --map-fit-below (inherited through the shadow
// root) is the room to keep under the map.

const geometries = new Map(); // url -> Promise<geometry document>
const instances = new WeakMap(); // parentElement -> MapView
const SVG = "http://www.w3.org/2000/svg";
const MAX_ZOOM = 24;

const STYLE = `
:host { display: block; }
.kd-map { font-family: var(--st-font, "Source Sans 3", sans-serif);
  color: var(--st-text-color, var(--kd-text)); position: relative; }
.kd-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem 1rem; font-size: 0.95rem;
  margin: 0 0 0.4rem 0; min-height: 1.6rem; }
.kd-scale { display: inline-flex; align-items: center; gap: 0.45rem; }
.kd-bar { width: 11rem; height: 0.8rem; border: 1px solid var(--kd-border); border-radius: 2px; }
.kd-swatch { display: inline-flex; align-items: center; gap: 0.35rem; }
.kd-swatch i { width: 0.9rem; height: 0.9rem; border: 1px solid var(--kd-border);
  display: inline-block; }
.kd-title { font-weight: 600; }
.kd-stage { position: relative; height: clamp(340px, 78vh, 720px); overflow: hidden;
  border-radius: 0.5rem; background: var(--kd-background); }
.kd-stage svg { width: 100%; height: 100%; display: block; cursor: grab; touch-action: pan-y; }
.kd-stage svg.kd-zoomed { touch-action: none; }
.kd-stage svg.kd-dragging { cursor: grabbing; }
.kd-shapes path { stroke: var(--kd-background); stroke-width: 0.6px;
  vector-effect: non-scaling-stroke; fill-rule: evenodd; }
.kd-shapes path:hover { stroke: var(--kd-text); stroke-width: 1.2px; }
.kd-selected { fill: none; stroke-width: 3px; vector-effect: non-scaling-stroke;
  pointer-events: none; }
.kd-tools { position: absolute; top: 0.5rem; left: 0.5rem; display: flex; flex-direction: column;
  gap: 0.3rem; }
.kd-save { position: absolute; top: 0.5rem; right: 0.5rem; display: flex; gap: 0.3rem; }
.kd-tools button, .kd-save button { font: inherit; font-size: 0.9rem; min-width: 2.1rem; height: 2.1rem;
  padding: 0 0.5rem; border: 1px solid var(--kd-border); border-radius: 0.4rem;
  background: color-mix(in srgb, var(--kd-background) 93%, transparent); color: var(--kd-text);
  cursor: pointer; }
.kd-tools button:hover, .kd-save button:hover {
  border-color: var(--st-primary-color, var(--kd-primary)); }
.kd-tools button:focus-visible, .kd-save button:focus-visible {
  outline: 2px solid var(--st-primary-color, var(--kd-primary)); outline-offset: 1px; }
.kd-tip { position: absolute; pointer-events: none; background: var(--kd-background);
  border: 1px solid var(--kd-border);
  border-radius: 0.35rem; padding: 0.3rem 0.5rem; font-size: 0.9rem; line-height: 1.3;
  box-shadow: 0 1px 4px color-mix(in srgb, var(--kd-shadow) 20%, transparent);
  white-space: nowrap; display: none; z-index: 2; }
.kd-tip b { display: block; }
.kd-hint { font-size: 0.85rem; opacity: 0.8; margin-top: 0.25rem; }
.kd-error { padding: 1rem; }
`;

function el(tag, attrs = {}, parent = null) {
  const node = tag.startsWith("svg:")
    ? document.createElementNS(SVG, tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (parent) parent.appendChild(node);
  return node;
}

function loadGeometry(source) {
  if (typeof source !== "string") return Promise.resolve(source);
  let pending = geometries.get(source);
  if (!pending) {
    const url = new URL(source, document.baseURI).href;
    pending = fetch(url, { credentials: "same-origin" }).then((reply) => {
      if (!reply.ok) throw new Error(`${reply.status} ${url}`);
      return reply.json();
    });
    pending.catch(() => geometries.delete(source));
    geometries.set(source, pending);
  }
  return pending;
}

// A value or rank text: the rerun sends what all of them share once (see views/map.py).
function affixed(texts, i) {
  const item = texts.items[i];
  return Array.isArray(item) ? item[0] : `${texts.prefix}${item}${texts.suffix}`;
}

function download(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

class MapView {
  constructor(parent) {
    this.parent = parent;
    this.instance = Math.random().toString(36).slice(2, 10);
    this.updates = 0;
    this.geometrySource = null;
    this.geometry = null;
    this.data = null;
    this.paths = [];
    this.index = new Map();
    el("style", {}, parent).textContent = STYLE;
    this.root = el("div", { class: "kd-map", "data-instance": this.instance, "data-updates": "0",
      "data-drawn": "0" }, parent);
    this.legend = el("div", { class: "kd-legend" }, this.root);
    this.stage = el("div", { class: "kd-stage" }, this.root);
    // The role "img" comes with its name (the first data): an image without one is an axe error.
    this.svg = el("svg:svg", { preserveAspectRatio: "xMidYMid meet" }, this.stage);
    this.shapes = el("svg:g", { class: "kd-shapes" }, this.svg);
    this.selectedPath = el("svg:path", { class: "kd-selected", "aria-hidden": "true" }, this.svg);
    this.tip = el("div", { class: "kd-tip", "aria-hidden": "true" }, this.stage);
    this.tools = el("div", { class: "kd-tools" }, this.stage);
    this.buttons = {};
    for (const [name, action] of [["zoom_in", () => this.zoomBy(1.6)],
      ["zoom_out", () => this.zoomBy(1 / 1.6)], ["reset", () => this.resetView()]]) {
      const button = el("button", { type: "button" }, this.tools);
      button.textContent = { zoom_in: "+", zoom_out: "−", reset: "⟲" }[name];
      button.addEventListener("click", action);
      this.buttons[name] = button;
    }
    this.saving = el("div", { class: "kd-save" }, this.stage);
    for (const [name, action] of [["save_svg", () => this.saveSvg()],
      ["save_png", () => this.savePng()]]) {
      const button = el("button", { type: "button" }, this.saving);
      button.textContent = name === "save_svg" ? "SVG" : "PNG";
      button.addEventListener("click", action);
      this.buttons[name] = button;
    }
    this.hint = el("div", { class: "kd-hint" }, this.root);
    this.bindPointer();
    this.onResize = () => this.fit();
    window.addEventListener("resize", this.onResize);
  }

  // The drawing's height when the page asks for a fit: what the window leaves below where the
  // drawing starts on the page (notices above it push it down), between 320 and 720 px.
  fit() {
    const below = parseFloat(getComputedStyle(this.root).getPropertyValue("--map-fit-below"));
    if (Number.isNaN(below)) return;
    const scroller = document.querySelector('[data-testid="stMain"]');
    const top = this.stage.getBoundingClientRect().top + (scroller ? scroller.scrollTop : 0);
    const room = window.innerHeight - top - this.hint.getBoundingClientRect().height - below;
    this.stage.style.height = `${Math.round(Math.min(720, Math.max(320, room)))}px`;
  }

  setTrigger(trigger) {
    this.trigger = trigger;
  }

  update(data) {
    this.data = data;
    const source = data.geometry;
    const key = typeof source === "string" ? source : `inline:${source && source.paths.length}`;
    if (key !== this.geometrySource) {
      this.geometrySource = key;
      loadGeometry(source).then((geometry) => {
        if (this.geometrySource !== key) return;
        this.build(geometry);
        this.apply();
      }).catch((error) => this.fail(error));
    } else if (this.geometry) {
      this.apply();
    }
  }

  build(geometry) {
    this.geometry = geometry;
    this.shapes.replaceChildren();
    this.paths = geometry.paths.map((d, i) => el("svg:path", { d, "data-i": String(i),
      "data-code": geometry.codes[i] }, this.shapes));
    this.index = new Map(geometry.codes.map((code, i) => [code, i]));
    this.full = geometry.viewBox.slice();
    this.resetView();
  }

  apply() {
    const { data, geometry } = this;
    if (!data || !geometry) return;
    const fills = data.fill;
    for (let i = 0; i < this.paths.length; i += 1) {
      this.paths[i].setAttribute("fill", fills[i] || data.legend.missing_colour);
    }
    const selected = data.selected != null ? this.index.get(data.selected) : undefined;
    if (selected === undefined) {
      this.selectedPath.removeAttribute("d");
    } else {
      this.selectedPath.setAttribute("d", geometry.paths[selected]);
      this.selectedPath.setAttribute("stroke", data.outline);
    }
    this.root.dataset.selected = data.selected || "";
    const labels = data.labels;
    this.svg.setAttribute("aria-label", labels.map);
    this.svg.setAttribute("role", "img");
    for (const [name, button] of Object.entries(this.buttons)) {
      button.setAttribute("aria-label", labels[name]);
      button.title = labels[name];
    }
    this.hint.textContent = labels.hint || "";
    this.drawLegend(data.legend);
    this.fit();
    requestAnimationFrame(() => this.fit()); // once the rest of this run is laid out
    if (this.hovered !== undefined) this.showTip(this.hovered, this.lastPointer);
    this.updates += 1;
    this.root.dataset.updates = String(this.updates);
    this.root.dataset.drawn = String(this.paths.filter((p) => p.getAttribute("d")).length);
  }

  drawLegend(legend) {
    this.legend.replaceChildren();
    if (legend.stops.length) {
      const scale = el("span", { class: "kd-scale" }, this.legend);
      el("span", { class: "kd-title" }, scale).textContent = legend.title;
      el("span", {}, scale).textContent = legend.low;
      const bar = el("span", { class: "kd-bar", role: "presentation" }, scale);
      bar.style.background = `linear-gradient(to right, ${legend.stops
        .map(([at, colour]) => `${colour} ${(at * 100).toFixed(1)}%`).join(", ")})`;
      el("span", {}, scale).textContent = legend.high;
    }
    for (const [shown, colour, text] of [[legend.has_missing, legend.missing_colour,
      legend.missing], [legend.has_muted, legend.muted_colour, legend.muted]]) {
      if (!shown) continue;
      const swatch = el("span", { class: "kd-swatch" }, this.legend);
      el("i", {}, swatch).style.background = colour;
      el("span", {}, swatch).textContent = text;
    }
  }

  // --- pointer: hover, click to choose, drag and wheel to move and zoom -------------------

  bindPointer() {
    const svg = this.svg;
    let down = null;
    svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      down = { x: event.clientX, y: event.clientY, id: event.pointerId, moved: false,
        view: this.view.slice() };
    });
    svg.addEventListener("pointermove", (event) => {
      this.lastPointer = event;
      if (down && down.id === event.pointerId) {
        const dx = event.clientX - down.x;
        const dy = event.clientY - down.y;
        if (!down.moved && Math.hypot(dx, dy) > 4 && this.canPan(event)) {
          down.moved = true;
          svg.setPointerCapture(event.pointerId);
          svg.classList.add("kd-dragging");
          this.hideTip();
        }
        if (down.moved) {
          const scale = this.unitsPerPixel();
          this.setView([down.view[0] - dx * scale, down.view[1] - dy * scale, down.view[2],
            down.view[3]]);
          return;
        }
      }
      const target = event.target.closest && event.target.closest("path[data-i]");
      if (target) this.showTip(Number(target.dataset.i), event);
      else this.hideTip();
    });
    const finish = (event) => {
      if (!down || down.id !== event.pointerId) return;
      const clicked = !down.moved;
      down = null;
      svg.classList.remove("kd-dragging");
      if (!clicked || event.type === "pointercancel") return;
      const target = event.target.closest && event.target.closest("path[data-i]");
      if (target && this.geometry && this.trigger) {
        this.trigger("select", this.geometry.codes[Number(target.dataset.i)]);
      }
    };
    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointercancel", finish);
    svg.addEventListener("pointerleave", () => this.hideTip());
    svg.addEventListener("wheel", (event) => {
      if (!this.view) return;
      event.preventDefault();
      this.zoomBy(Math.exp(-event.deltaY * 0.0015), event);
    }, { passive: false });
  }

  canPan(event) {
    // A finger on a phone scrolls the page until the map is zoomed in.
    return event.pointerType === "mouse" || this.zoom() > 1.001;
  }

  unitsPerPixel() {
    const box = this.svg.getBoundingClientRect();
    return Math.max(this.view[2] / box.width, this.view[3] / box.height);
  }

  zoom() {
    return this.full ? this.full[3] / this.view[3] : 1;
  }

  zoomBy(factor, event) {
    if (!this.view) return;
    const target = Math.min(MAX_ZOOM, Math.max(1, this.zoom() * factor));
    const [x, y, w, h] = this.view;
    const box = this.svg.getBoundingClientRect();
    // The point under the pointer (or the centre) stays where it is.
    const px = event ? event.clientX - box.left : box.width / 2;
    const py = event ? event.clientY - box.top : box.height / 2;
    const scale = this.unitsPerPixel();
    const cx = x + w / 2 + (px - box.width / 2) * scale;
    const cy = y + h / 2 + (py - box.height / 2) * scale;
    const nw = this.full[2] / target;
    const nh = this.full[3] / target;
    const ratio = nw / w;
    this.setView([cx - (cx - x) * ratio, cy - (cy - y) * ratio, nw, nh]);
  }

  resetView() {
    if (this.full) this.setView(this.full.slice());
  }

  setView(view) {
    const [fx, fy, fw, fh] = this.full;
    const [, , w, h] = view;
    // Keep some of the country in sight.
    const x = Math.min(fx + fw - w * 0.2, Math.max(fx - w * 0.8, view[0]));
    const y = Math.min(fy + fh - h * 0.2, Math.max(fy - h * 0.8, view[1]));
    this.view = [x, y, w, h];
    this.svg.setAttribute("viewBox", this.view.map((v) => v.toFixed(1)).join(" "));
    this.svg.classList.toggle("kd-zoomed", this.zoom() > 1.001);
  }

  // --- hover --------------------------------------------------------------------------------

  showTip(i, event) {
    const { data, geometry } = this;
    if (!data || !geometry || !event) return;
    this.hovered = i;
    const names = geometry.names[data.lang] || geometry.names.fi || geometry.codes;
    this.tip.replaceChildren();
    el("b", {}, this.tip).textContent = names[i];
    // A figure resting on a small population: its mark and the line saying so (views/map.py).
    const small = (data.small || []).includes(i);
    const mark = small ? ` ${data.labels.small_mark}` : "";
    el("span", {}, this.tip).textContent = affixed(data.value, i) + mark;
    const rank = [affixed(data.rank, i), small ? data.labels.small_hover : ""]
      .filter(Boolean)
      .join(" · ");
    if (rank) {
      el("br", {}, this.tip);
      el("span", {}, this.tip).textContent = rank;
    }
    this.tip.style.display = "block";
    const box = this.stage.getBoundingClientRect();
    const left = Math.min(event.clientX - box.left + 14, box.width - this.tip.offsetWidth - 4);
    const top = Math.min(event.clientY - box.top + 14, box.height - this.tip.offsetHeight - 4);
    this.tip.style.left = `${Math.max(4, left)}px`;
    this.tip.style.top = `${Math.max(4, top)}px`;
  }

  hideTip() {
    this.hovered = undefined;
    this.tip.style.display = "none";
  }

  // --- saving as SVG or PNG -----------------------------------------------------------------

  // A colour of the palette, as the server wrote it on the component's root (--kd-<name>).
  colour(name) {
    return getComputedStyle(this.root).getPropertyValue(`--kd-${name}`).trim();
  }

  imageSvg() {
    const [, , w, h] = this.full;
    const legendHeight = Math.round(h * 0.06);
    const out = el("svg:svg", { xmlns: SVG, viewBox: `0 ${-legendHeight} ${w} ${h + legendHeight}`,
      width: "900", height: String(Math.round((900 * (h + legendHeight)) / w)) });
    el("svg:rect", { x: "0", y: String(-legendHeight), width: String(w),
      height: String(h + legendHeight), fill: this.colour("background") }, out);
    const group = el("svg:g", { stroke: this.colour("background"), "stroke-width": String(w / 1500),
      "fill-rule": "evenodd" }, out);
    this.paths.forEach((path) => {
      el("svg:path", { d: path.getAttribute("d"), fill: path.getAttribute("fill") }, group);
    });
    if (this.selectedPath.getAttribute("d")) {
      el("svg:path", { d: this.selectedPath.getAttribute("d"), fill: "none",
        stroke: this.data.outline, "stroke-width": String(w / 300) }, out);
    }
    const legend = this.data.legend;
    if (legend.stops.length) {
      const gradient = el("svg:linearGradient", { id: "kd-scale" }, el("svg:defs", {}, out));
      legend.stops.forEach(([at, colour]) => el("svg:stop", { offset: String(at),
        "stop-color": colour }, gradient));
      const size = legendHeight * 0.32;
      const font = { "font-family": "sans-serif", "font-size": String(size),
        fill: this.colour("text") };
      const text = (x, anchor, content) => {
        const node = el("svg:text", { ...font, x: String(x), y: String(-legendHeight * 0.38),
          "text-anchor": anchor }, out);
        node.textContent = content;
      };
      text(w * 0.02, "start", `${legend.title} ${legend.low}`.trim());
      el("svg:rect", { x: String(w * 0.3), y: String(-legendHeight * 0.7), width: String(w * 0.4),
        height: String(legendHeight * 0.4), fill: "url(#kd-scale)",
        stroke: this.colour("border"),
        "stroke-width": String(w / 1500) }, out);
      text(w * 0.72, "start", legend.high);
    }
    return new XMLSerializer().serializeToString(out);
  }

  saveSvg() {
    if (!this.geometry) return;
    download(`${this.data.file}.svg`, new Blob([this.imageSvg()], { type: "image/svg+xml" }));
  }

  savePng() {
    if (!this.geometry) return;
    const source = this.imageSvg();
    const image = new Image();
    const url = URL.createObjectURL(new Blob([source], { type: "image/svg+xml" }));
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = image.width * 2;
      canvas.height = image.height * 2;
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => blob && download(`${this.data.file}.png`, blob), "image/png");
    };
    image.src = url;
  }

  fail(error) {
    this.root.dataset.error = String(error && error.message ? error.message : error);
    this.stage.replaceChildren();
    el("div", { class: "kd-error", role: "alert" }, this.stage).textContent =
      (this.data && this.data.labels.error) || "The map could not be loaded.";
  }

  destroy() {
    window.removeEventListener("resize", this.onResize);
    this.parent.replaceChildren();
  }
}

export default function renderMap(component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = instances.get(parentElement);
  if (!view) {
    view = new MapView(parentElement);
    instances.set(parentElement, view);
  }
  view.setTrigger(setTriggerValue);
  if (data) view.update(data);
  // Called by Streamlit when the element leaves the page, and also when a superseded call
  // finishes late; only the former may tear the map down.
  return () => {
    if (!parentElement.isConnected) {
      instances.delete(parentElement);
      view.destroy();
    }
  };
}
