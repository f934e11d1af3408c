"""Accessibility helpers that Streamlit has no setting for (UI layer)."""

from __future__ import annotations

import json

import streamlit as st

from kuntadash.i18n import LANGUAGES, translate

# The words Streamlit 1.67's frontend, plotly's mode bar and MapLibre's controls show in English
# whatever the app's language (button labels, screen-reader labels, tooltips, placeholders), by
# the locale key of our translation (resources/locales/frontend.yaml). A "{name}" part stands
# for any text (a widget's label, a file size) and is kept as it is.
FRONTEND_WORDS: dict[str, str] = {
    "Skip to main content": "frontend.skip_to_content",
    "Search": "frontend.search",
    "Show/hide columns": "frontend.columns",
    "Fullscreen": "frontend.fullscreen",
    "Close fullscreen": "frontend.close_fullscreen",
    "Choose an option": "frontend.choose_option",
    "Choose options": "frontend.choose_options",
    "Choose or add an option": "frontend.choose_or_find",
    "Add: {text}": "frontend.find_typed",
    "No results": "frontend.no_results",
    "Clear all": "frontend.clear_all",
    "Selected values": "frontend.selected_values",
    "Open": "frontend.open",
    "Close": "frontend.close",
    "Main menu": "frontend.main_menu",
    "Collapse sidebar": "frontend.collapse_sidebar",
    "Expand sidebar": "frontend.expand_sidebar",
    "App pages": "frontend.app_pages",
    "Sidebar": "frontend.sidebar",
    "Link to heading": "frontend.link_to_heading",
    "Press Enter to apply": "frontend.press_enter",
    "Print": "frontend.print",
    "Record screen": "frontend.record_screen",
    "Copy version to clipboard": "frontend.copy_version",
    "Copy to clipboard": "frontend.copy_to_clipboard",
    "Copied": "frontend.copied",
    "Upload": "frontend.upload",
    "file upload": "frontend.file_upload",
    "Drag and drop files here": "frontend.drop_files",
    "Drag and drop a file here": "frontend.drop_file",
    "Remove file": "frontend.remove_file",
    "{size} per file": "frontend.per_file",
    "Help for {label}": "frontend.help_for",
    "Remove {label}": "frontend.remove",
    "Shortcut {keys}": "frontend.shortcut",
    "Map": "frontend.map",
    "Toggle attribution": "frontend.toggle_attribution",
    "Zoom": "frontend.zoom",
    "Zoom in": "frontend.zoom_in",
    "Zoom out": "frontend.zoom_out",
    "Pan": "frontend.pan",
    "Reset axes": "frontend.reset_axes",
    "Autoscale": "frontend.autoscale",
    "Reset view": "frontend.reset_view",
    "Download plot as a PNG": "frontend.download_png",
    "Download plot": "frontend.download_plot",
    "Box Select": "frontend.box_select",
    "Lasso Select": "frontend.lasso_select",
}
# Of those, the ones that are the whole text of an element (a button's label, a tooltip, the
# upload instructions); all others are only looked for in the attributes, so that a text that
# happens to read "Open" or "Map" elsewhere on a page is left alone.
_TEXT_WORDS = (
    "Skip to main content",
    "Search",
    "Show/hide columns",
    "Fullscreen",
    "Close fullscreen",
    "No results",
    "Add: {text}",
    "Press Enter to apply",
    "Print",
    "Record screen",
    "Upload",
    "Drag and drop files here",
    "Drag and drop a file here",
    "{size} per file",
)

# NOTE: none of these words has a setting in Streamlit 1.67 (they are literals in its frontend
# bundle, e.g. `Help for ${label}`, `${size} per file`, and in plotly.js / MapLibre). The script
# below puts ours in their place in the page: once at load and then for every element the
# frameworks add or change (a MutationObserver), keeping each original so that a change of
# language, or a framework updating its own text, is followed. Only whole attribute values or
# whole texts equal to one of the words are touched, and Streamlit's toolbar labels that name
# their element after the word ("Fullscreen: <label>", its labelContext); the words are our
# own locale texts.
_SCRIPT = """<script>(() => {
const RULES = %(rules)s;
const state = window.__kuntadashWords || (window.__kuntadashWords = {texts: new Set()});
const escape = (text) => text.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&");
state.rules = RULES.map(([english, shown, whole]) => {
  const names = [];
  const pattern = english.split(/\\{(\\w+)\\}/).map((part, i) => {
    if (i %% 2) { names.push(part); return "(.+?)"; }
    return escape(part);
  }).join("");
  return {re: new RegExp("^" + pattern + "$", "s"), names, shown, whole};
});
const words = (value, text) => {
  if (!value || value.length > 200) return value;
  for (const rule of state.rules) {
    if (text && !rule.whole) continue;
    const match = rule.re.exec(value);
    if (!match) continue;
    return rule.names.reduce((out, name, i) => out.split("{" + name + "}").join(match[i + 1]),
                             rule.shown);
  }
  // A toolbar action named after its element ("Fullscreen: " and the table label): the action
  // word is translated, the element's own label kept.
  const cut = text ? -1 : value.indexOf(": ");
  if (cut > 0) {
    const head = value.slice(0, cut), shown = words(head, false);
    if (shown !== head) return shown + value.slice(cut);
  }
  return value;
};
const ATTRIBUTES = ["aria-label", "title", "data-title", "placeholder"];
const element = (node) => {
  for (const name of ATTRIBUTES) {
    if (!node.hasAttribute(name)) continue;
    const value = node.getAttribute(name), mark = "data-kd-" + name;
    const original = node.getAttribute(mark + "-shown") === value ? node.getAttribute(mark) : value;
    const shown = words(original, false);
    if (shown === original && !node.hasAttribute(mark)) continue;
    node.setAttribute(mark, original);
    node.setAttribute(mark + "-shown", shown);
    if (value !== shown) node.setAttribute(name, shown);
  }
};
const text = (node) => {
  const value = node.nodeValue;
  if (!value || !value.trim()) return;
  const record = node.__kuntadash;
  const original = record && record.shown === value ? record.original : value;
  const trimmed = original.trim();
  const shown = original.replace(trimmed, words(trimmed, true));
  if (shown === original && !record) return;
  node.__kuntadash = {original, shown};
  state.texts.add(node);
  if (value !== shown) node.nodeValue = shown;
};
const walk = (root) => {
  if (root.nodeType === Node.TEXT_NODE) { text(root); return; }
  if (root.nodeType !== Node.ELEMENT_NODE) return;
  element(root);
  for (const node of root.querySelectorAll("[aria-label],[title],[data-title],[placeholder]")) {
    element(node);
  }
  const texts = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) text(texts.currentNode);
};
for (const node of [...state.texts]) {
  if (node.isConnected) text(node); else state.texts.delete(node);
}
walk(document.body);
if (!state.observer) {
  state.observer = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") element(change.target);
      else if (change.type === "characterData") text(change.target);
      else change.addedNodes.forEach(walk);
    }
  });
  state.observer.observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRIBUTES,
  });
}
})();</script>"""


def frontend_words(lang: str) -> list[tuple[str, str, bool]]:
    """(the framework's English, ours in ``lang``, whether it may be an element's whole text)
    for every word of :data:`FRONTEND_WORDS`, longest first (so "Download plot as a PNG" wins
    over "Download plot")."""
    rules = [
        (english, translate(key, lang, **_placeholders(english)), english in _TEXT_WORDS)
        for english, key in FRONTEND_WORDS.items()
    ]
    return sorted(rules, key=lambda rule: -len(rule[0]))


def _placeholders(english: str) -> dict[str, str]:
    """{name: "{name}"} for the template's placeholders, so translate() leaves them in place."""
    import re

    return {name: "{" + name + "}" for name in re.findall(r"\{(\w+)\}", english)}


def render_document_language(lang: str) -> None:
    """Make ``<html lang>`` follow the chosen UI language, so screen readers read fi / sv / en
    with the right voice (WCAG 3.1.1), and give Streamlit's, plotly's and MapLibre's own
    controls their words in that language (:data:`FRONTEND_WORDS`): screen-reader labels,
    tooltips, placeholders, the file uploader.

    NOTE: Streamlit 1.67 always serves ``<html lang="en">`` and has no option to change it
    (``st.set_page_config`` has no language); the only way is a script. It goes at the end of
    the sidebar so its empty element adds no visible gap. ``lang`` is one of our own language
    codes and the words come from our locale files, never user text.
    """
    if lang not in LANGUAGES:
        return
    rules = json.dumps(frontend_words(lang), ensure_ascii=False).replace("</", "<\\/")
    st.sidebar.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};</script>"
        + _SCRIPT % {"rules": rules},
        unsafe_allow_javascript=True,
    )
