"""zhili (智理): a county government's service platform."""

__version__ = "0.1.0"

import os as _os

# Forecasts fit small models: BLAS threads only add overhead (1.3 s instead of 0.13 s a fit).
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
