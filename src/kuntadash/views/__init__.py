"""View models: what a page, a slide or the PDF brief shows, computed once and used by all.

Streamlit-free layer between the domain and the UI (pages → ui → views → {charts, domain,
store}): formatted numbers, tables and summaries in the reader's language, ready to draw.
"""
