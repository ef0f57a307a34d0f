"""zhili (智理): a county government's service platform."""

__version__ = "0.1.0"
