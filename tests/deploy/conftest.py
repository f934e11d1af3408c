"""Deployment-test fixtures: the app as two replicas behind Debian's nginx, via deploy/run.py.

The tests under tests/deploy/ start the deployment exactly as an operator would (one
``deploy/run.py`` command; tools.devserver.serve_behind_nginx) on a private copy of the
sample snapshot, and stop it as Ctrl-C would.

They are skipped when nginx is not installed, unless ``KUNTADASH_REQUIRE_NGINX=1`` (set by
``.ci/run`` after installing Debian's nginx), in which case they fail: CI must never pass by
skipping the deployment.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kuntadash.store.locations import BUNDLED_SAMPLE_DIR
from tools.devserver import Deployment, serve_behind_nginx

REPO = Path(__file__).resolve().parents[2]
_DEPLOY_RUN = "kuntadash_deploy_run"

REQUIRE_ENV = "KUNTADASH_REQUIRE_NGINX"
NGINX = Path("/usr/sbin/nginx")


def nginx_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"


@pytest.fixture(scope="session", autouse=True)
def _nginx_available() -> None:
    if shutil.which("nginx") or NGINX.is_file():
        return
    message = "nginx is not installed (apt-get install nginx-light); .ci/run installs it"
    if nginx_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def served_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample snapshot that every replica serves."""
    target = tmp_path_factory.mktemp("deploy-data") / "data"
    shutil.copytree(BUNDLED_SAMPLE_DIR, target, ignore=shutil.ignore_patterns(".cache", ".tmp-*"))
    return target


@pytest.fixture(scope="module")
def deployment(served_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Two replicas behind nginx for the tests of a module that leave them running."""
    workdir = tmp_path_factory.mktemp("deploy") / "run"
    with serve_behind_nginx(workdir=workdir, replicas=2, data_dir=served_data) as running:
        yield running


def load_deploy_run():
    """deploy/run.py, a script rather than a package module, loaded from its path (once per
    process: later calls get the same module)."""
    loaded = sys.modules.get(_DEPLOY_RUN)
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(_DEPLOY_RUN, REPO / "deploy" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module
