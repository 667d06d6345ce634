"""ncovi-stats: coverage figures from NCOVI health-declaration exports."""

__version__ = "0.1.0"
