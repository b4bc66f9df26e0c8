"""Development server entry point: `python run.py` (the same as `servicecenter serve`)."""

import os

os.environ.setdefault("SERVICECENTER_DEBUG", "1")

from servicecenter.app import create_app  # noqa: E402

app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000, debug=True, use_reloader=False)
