// Benchmark candidate of the overview map: MapLibre GL JS (BSD-3-Clause), outlines as a GeoJSON
// source loaded once by URL, colours and the outline of the chosen municipality updated in place
// (feature state and a layer filter) — the map instance survives every rerun. Same data
// protocol as ui/map_component/map.js; built by `npm run build` into the component's folder.

import * as maplibregl from "maplibre-gl";
import maplibreCss from "maplibre-gl/dist/maplibre-gl.css";

const instances = new WeakMap();

const STYLE = `${maplibreCss}
.kd-map { font-family: var(--st-font, sans-serif); color: #0e1117; position: relative; }
.kd-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem 1rem; font-size: 0.95rem;
  margin: 0 0 0.4rem 0; min-height: 1.6rem; }
.kd-bar { width: 11rem; height: 0.8rem; border: 1px solid #8a8a8a; display: inline-block; }
.kd-stage { position: relative; height: clamp(340px, 78vh, 720px); }
.kd-tip { position: absolute; pointer-events: none; background: #fff; border: 1px solid #8a8a8a;
  padding: 0.3rem 0.5rem; font-size: 0.9rem; display: none; z-index: 2; white-space: nowrap; }
.kd-tip b { display: block; }
`;

function el(tag, attrs = {}, parent = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (parent) parent.appendChild(node);
  return node;
}

class GlMap {
  constructor(parent) {
    this.instance = Math.random().toString(36).slice(2, 10);
    this.updates = 0;
    el("style", {}, parent).textContent = STYLE;
    this.root = el("div", { class: "kd-map", "data-instance": this.instance, "data-updates": "0",
      "data-drawn": "0" }, parent);
    this.legend = el("div", { class: "kd-legend" }, this.root);
    this.stage = el("div", { class: "kd-stage" }, this.root);
    this.tip = el("div", { class: "kd-tip" }, this.stage);
    this.map = new maplibregl.Map({
      container: this.stage,
      style: { version: 8, sources: {}, layers: [
        { id: "background", type: "background", paint: { "background-color": "#ffffff" } }] },
      bounds: [[19.0, 59.7], [31.7, 70.1]],
      fitBoundsOptions: { padding: 10 },
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      renderWorldCopies: false,
      fadeDuration: 0,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    this.loaded = new Promise((resolve) => this.map.on("load", resolve));
    this.map.on("mousemove", "fill", (event) => this.showTip(event));
    this.map.on("mouseleave", "fill", () => { this.tip.style.display = "none"; });
    this.map.on("click", "fill", (event) => {
      const code = event.features[0] && event.features[0].properties.c;
      if (code && this.trigger) this.trigger("select", code);
    });
    this.source = null;
  }

  async update(data) {
    this.data = data;
    await this.loaded;
    if (this.data !== data) return;
    if (this.source !== data.geometry) {
      this.source = data.geometry;
      const url = new URL(data.geometry, document.baseURI).href;
      if (this.map.getSource("m")) {
        this.map.getSource("m").setData(url);
      } else {
        this.map.addSource("m", { type: "geojson", data: url, promoteId: "c" });
        this.map.addLayer({ id: "fill", type: "fill", source: "m", paint: {
          "fill-color": ["coalesce", ["feature-state", "fill"], "#c9c9c9"] } });
        this.map.addLayer({ id: "line", type: "line", source: "m", paint: {
          "line-color": "#ffffff", "line-width": 0.6 } });
        this.map.addLayer({ id: "selected", type: "line", source: "m",
          filter: ["==", ["get", "c"], ""], paint: { "line-color": "#000000", "line-width": 3 } });
      }
      this.codes = data.codes;
    }
    data.codes.forEach((code, i) => {
      this.map.setFeatureState({ source: "m", id: code }, { fill: data.fill[i] });
    });
    this.map.setFilter("selected", ["==", ["get", "c"], data.selected || ""]);
    this.root.dataset.selected = data.selected || "";
    this.drawLegend(data.legend);
    this.map.once("idle", () => {
      this.updates += 1;
      const drawn = new Set(this.map.queryRenderedFeatures({ layers: ["fill"] })
        .map((f) => f.properties.c));
      this.root.dataset.drawn = String(drawn.size);
      this.root.dataset.updates = String(this.updates);
    });
    this.map.triggerRepaint();
  }

  drawLegend(legend) {
    this.legend.replaceChildren();
    if (!legend.stops.length) return;
    el("span", {}, this.legend).textContent = legend.low;
    const bar = el("span", { class: "kd-bar" }, this.legend);
    bar.style.background = `linear-gradient(to right, ${legend.stops
      .map(([at, colour]) => `${colour} ${(at * 100).toFixed(1)}%`).join(", ")})`;
    el("span", {}, this.legend).textContent = legend.high;
  }

  showTip(event) {
    const feature = event.features && event.features[0];
    if (!feature || !this.data) return;
    const i = this.data.codes.indexOf(feature.properties.c);
    const names = this.data.names || {};
    this.tip.replaceChildren();
    el("b", {}, this.tip).textContent = names[feature.properties.c] || feature.properties.n || "";
    const text = (texts) => {
      const item = texts.items[i];
      return Array.isArray(item) ? item[0] : `${texts.prefix}${item}${texts.suffix}`;
    };
    el("span", {}, this.tip).textContent = `${text(this.data.value)} · ${text(this.data.rank)}`;
    this.tip.style.display = "block";
    this.tip.style.left = `${event.point.x + 14}px`;
    this.tip.style.top = `${event.point.y + 14}px`;
  }
}

export default function renderGlMap(component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = instances.get(parentElement);
  if (!view) {
    view = new GlMap(parentElement);
    instances.set(parentElement, view);
  }
  view.trigger = setTriggerValue;
  if (data) view.update(data);
  return () => {
    if (!parentElement.isConnected) {
      instances.delete(parentElement);
      view.map.remove();
    }
  };
}
