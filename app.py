"""The web page: `python app.py` serves it on HELPER_HOST:HELPER_PORT (127.0.0.1:7860)."""

import sys

from helper.errors import ConfigError
from helper.web.page import launch

if __name__ == "__main__":
    try:
        launch()
    except ConfigError as exc:
        sys.exit(f"helper: {exc}")
