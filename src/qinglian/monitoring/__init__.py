"""Data-driven early warning (大数据监测预警): red-flag rules over columnar ledgers."""
