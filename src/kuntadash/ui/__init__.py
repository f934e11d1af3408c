"""UI layer: the only package besides app.py and pages/ that imports streamlit.

Every page starts with ``entry.require_app()``: Streamlit may run a page file on its own, without
app.py, in a freshly started server (see kuntadash.ui.entry).
"""
