"""The web page: `python app.py` serves it on HELPER_HOST:HELPER_PORT (127.0.0.1:7860)."""

import sys

from helper.config import ConfigError
from helper.ui import launch

if __name__ == "__main__":
    try:
        launch()
    except ConfigError as exc:
        sys.exit(f"helper: {exc}")
