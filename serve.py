"""The public server: the app (app.py) behind kuntadash's request guard.

``streamlit run serve.py`` serves exactly what ``streamlit run app.py`` serves, with
kuntadash.ui.guard in front of Streamlit's routes: uploads only from a session whose page has a
file uploader (a signed-in administrator on the Data page), refused unread otherwise, and no
browser message that clears every visitor's caches. Deployments (deploy/run.py, the systemd
unit) run this file; ``streamlit run app.py`` stays the development server.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from kuntadash.ui.guard import RequestGuard

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(RequestGuard)])
