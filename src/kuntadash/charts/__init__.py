"""Charts layer: build_*_figure(data, labels) -> plotly Figure. No streamlit here."""
